"""Word lists of general English that the language rules are built from.

Each list is about the language of news and official statements, never about one story: titles
that precede a person's name, head nouns of organisation names, demonyms of countries, the
verbs that report speech, the words that mark a cause or a stance.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Abbreviations whose full stop does not end a sentence ("Mr.", "U.S.", "Jan.").
ABBREVIATIONS = _words(
    "mr mrs ms dr prof gen col lt sgt st sen rep gov pres jr sr inc ltd co corp no nos vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.u u.n a.m p.m i.e e.g fig "
    "approx dept est min max govt cf al op"
)
# Words and phrases of news and policy English that say the same thing, each with the one word
# that stands for them all when a question is matched with a sentence ("come into force" and
# "take effect"; "prohibited" and "banned"; "doable" and "feasible").
SAME_MEANING: dict[str, tuple[str, ...]] = {
    "effect": (
        "take effect",
        "takes effect",
        "taking effect",
        "took effect",
        "taken effect",
        "come into force",
        "comes into force",
        "coming into force",
        "came into force",
        "come into effect",
        "comes into effect",
        "came into effect",
        "enter into force",
        "enters into force",
        "entered into force",
        "go into effect",
        "goes into effect",
        "went into effect",
        "kick in",
        "kicks in",
        "kicked in",
    ),
    "ban": (
        "prohibit",
        "prohibits",
        "prohibited",
        "prohibiting",
        "prohibition",
        "outlaw",
        "outlawed",
        "barred",
        "barring",
    ),
    "buy": ("purchase", "purchases", "purchased", "purchasing", "acquire", "acquired", "acquiring"),
    "feasible": ("doable", "achievable", "realistic", "workable", "viable"),
    "resign": ("step down", "steps down", "stepped down", "stepping down", "quit", "quits"),
    "remove": ("rip out", "ripped out", "strip out", "stripped out", "phase out", "phased out"),
    # roles news names one way and questions another ("which diplomat…": "Ambassador X")
    "envoy": ("envoys", "ambassador", "ambassadors", "diplomat", "diplomats"),
    "lawmaker": ("lawmakers", "legislator", "legislators"),
    "research": ("r&d", "research and development"),
}
# Words that carry no topic: left out of term matching and never part of a name.
FUNCTION_WORDS = _words(
    "a about above across after afterwards again against ago all almost along already also although "
    "always am among an and another any anyone anything are around as at be became because become "
    "been before being below beside besides between both but by can cannot could did do does doing "
    "done down during each either else enough etc even ever every few for from further had has have "
    "having he her here hers herself him himself his how however i if in indeed into is it its itself "
    "just last least less let like many may me meanwhile might mine more moreover most mostly much must "
    "my myself neither never nevertheless next no nobody none nor not nothing now of off often on once "
    "one only onto or other others otherwise our ours ourselves out over own per perhaps please quite "
    "rather really same several she should since so some somehow someone something sometimes still "
    "such than that the their theirs them themselves then there thereby therefore these they this "
    "those though through throughout thus to together too toward towards under unless until up upon "
    "us very via was we well were what whatever when whenever where whereas wherever whether which "
    "while who whoever whole whom whose why will with within without would yet you your yours "
    "yourself yourselves 's s t don didn doesn isn wasn weren won wouldn aren hasn haven hadn can't "
    "okay ok yes later earlier amid amidst despite following according regarding concerning including"
)
# Question and conversation words: they say what is asked, not what it is about.
QUESTION_WORDS = _words(
    "ask asked actually apparently basically exactly reportedly supposedly roughly approximately "
    "tell say know think reckon mean wonder read heard hear remember recall give list name named "
    "explain describe compare show find back kind sort thing things stuff anyway"
)
# Titles and roles written before a person's name ("Foreign Secretary Dominic Raab").
# Honours around a person's name: "Rt Hon Ann Lee MP", "Tom Reed KC".
HONORIFICS = _words("rt rt. hon hon. right honourable honorable")
POST_NOMINALS = _words("mp mep msp ms am mla td qc kc obe cbe mbe kbe dbe frs phd jr jr. sr sr.")
PERSON_TITLES = _words(
    "mr mrs ms miss dr prof professor sir dame lord lady baroness baron king queen prince princess "
    "duke duchess earl countess "
    "president vice-president premier chancellor minister secretary senator sen rep representative "
    "congressman congresswoman congressmember governor mayor ambassador envoy spokesman spokeswoman "
    "spokesperson chairman chairwoman chair ceo cfo cto founder director commissioner judge justice "
    "general gen admiral colonel col captain lieutenant sergeant officer mp meps mep lawmaker "
    "editor correspondent reporter columnist analyst adviser advisor aide deputy chief pope cardinal "
    "bishop rabbi imam sheikh emir chairperson speaker leader attorney solicitor barrister inspector "
    "superintendent commander marshal pm"
)
# Words that qualify a title ("Prime Minister", "Home Secretary", "Deputy Foreign Minister").
TITLE_MODIFIERS = _words(
    "prime foreign home defence defense health culture digital trade business interior justice "
    "finance economy economic treasury education transport energy environment security state "
    "junior shadow former acting deputy vice chief executive general senior principal permanent "
    "first second press communications policy party national international federal science "
    "technology industry commerce agriculture labour labor conservative republican democratic "
    "democrat liberal green independent opposition cabinet the"
)
# Head nouns of organisation names ("Ministry of ...", "... Committee", "... Ltd").
ORGANISATION_HEADS = _words(
    "ministry department office treasury committee council commission agency authority parliament congress "
    "senate assembly party government administration court tribunal university college institute "
    "institution centre center bank association federation union group inc incorporated ltd limited "
    "plc corp corporation company co llc gmbh ag sa foundation board bureau service services network "
    "networks telecom telecoms telecommunications communications technologies technology systems "
    "media news times post daily journal herald gazette telegraph tribune guardian observer review "
    "press broadcasting broadcaster radio television tv laboratory lab labs school forum organisation "
    "organization alliance coalition fund trust regulator exchange commissioner cabinet directorate "
    "secretariat inspectorate executive unit division command force forces army navy police "
    "intelligence industries holdings partners consultancy advisors advisers airlines motors energy "
    "electric electronics semiconductor semiconductors mobile wireless broadband undertaking "
    "consortium partnership observatory"
)
# Words that end a place name ("Downing Street", "Salisbury Plain").
PLACE_HEADS = _words(
    "street road avenue square lane city town county province state region island islands valley "
    "river sea ocean bay gulf strait mountains mountain hill plain park airport port harbour harbor "
    "mosque church cathedral temple palace hall house tower building bridge stadium hotel station"
)
# Words that end the name of a law, plan or event ("Secure Equipment Act", "Project Clover").
THING_HEADS = _words(
    "act acts bill bills law laws project projects programme program plan strategy scheme initiative "
    "treaty agreement accord deal pact protocol framework report review code directive regulation order "
    "summit conference forum war crisis revolution era amendment doctrine list index declaration "
    "declarations dynasty empire republic problem problems threat threats vision trade charter "
    "convention statement award prize"
)
# Words inside a multi-word name that may stay lower-case ("Ministry of Defence").
NAME_CONNECTORS = _words("of for the de del della di da von van der den le la al el bin ibn and &")
# Auxiliary and modal verbs ("has", "did", "would").
AUXILIARY_VERBS = _words(
    "was were is are did do does has have had will would can could should may might must"
)
# Verbs that report speech: the subject or object next to them is usually a person or a body.
REPORTING_VERBS = _words(
    "said says say told tells added adds argued argues warned warns claimed claims insisted insists "
    "stated states wrote writes announced announces confirmed confirms denied denies accused accuses "
    "described describes called calls urged urges admitted admits noted notes explained explains "
    "suggested suggests tweeted tweets declared declares acknowledged acknowledges believes believed "
    "asked asks replied replies responded responds commented comments reported reports revealed reveals"
)
# Past forms of irregular verbs (regular ones end in "-ed"): a sentence with one reports
# something done.
IRREGULAR_PAST = _words(
    "was were had did said told made took gave went came became began won lost sold bought met "
    "led held brought thought found sent spent built chose drew fell felt fought forbade got grew "
    "heard hid kept knew laid lent meant paid ran rose saw sought shook sang sat slept spoke stood "
    "stole struck swore taught threw understood withdrew woke wore wrote overtook undertook "
    "forgot forgave froze rode shot stuck swept swung tore wound"
)
# Before a participle these make it an adjective ("the proposed ban") or a passive that is not
# past ("is expected", "to be removed").
ADJECTIVE_MARKERS = _words(
    "the a an its their his her this that these those our your my some any no every each "
    "be being is are am get gets to so"
)
# Words ending in "ed" that are not past forms.
NOT_PARTICIPLES = _words(
    "need needs indeed speed feed seed breed proceed exceed succeed embed shed bed red hundred "
    "sacred naked wicked ragged related based concerned interested advanced unprecedented "
    "sophisticated detailed dedicated integrated unexpected unlimited supposed"
)
# Nouns of questions that ask for a person ("Which minister...?").
PERSON_NOUNS = _words(
    "person people man woman men women minister ministers mp mps senator senators official officials "
    "spokesman spokeswoman spokesperson chairman chairwoman chair ceo boss founder leader leaders "
    "president secretary ambassador diplomat diplomats envoy editor journalist reporter columnist "
    "academic professor expert experts analyst analysts adviser advisers advisor advisors aide aides "
    "lawmaker lawmakers politician politicians member members executive executives director directors "
    "chief head successor predecessor judge lawyer candidate whistleblower activist activists "
    "commissioner governor mayor king queen prime premier chancellor deputy staffer lobbyist author "
    "writer lord lords lady baroness baron sir dame duke duchess earl prince princess emperor empress "
    "monarch dictator admiral colonel captain officer officers bishop cardinal pope spy spies soldier "
    "soldiers engineer engineers scientist scientists researcher researchers economist economists "
    "entrepreneur billionaire tycoon investor investors banker bankers founders ceos"
)
# Nouns of questions that ask for an organisation ("Which company...?").
ORGANISATION_NOUNS = _words(
    "company companies firm firms business businesses carrier carriers operator operators vendor "
    "vendors supplier suppliers provider providers maker makers manufacturer manufacturers "
    "organisation organisations organization organizations agency agencies body bodies group groups "
    "outlet outlets newspaper newspapers paper papers broadcaster broadcasters department departments "
    "ministry ministries committee committees institute institutions regulator regulators tank tanks "
    "bank banks university universities lab labs laboratory laboratories network networks party "
    "parties union unions developer developers chipmaker chipmakers brand brands platform platforms "
    "app apps court courts others"
)
# Organisation nouns for businesses and their products ("which companies / apps"): a ministry
# or a law named near them is no item of such a list.
COMMERCIAL_NOUNS = _words(
    "company companies firm firms business businesses carrier carriers operator operators vendor "
    "vendors supplier suppliers provider providers maker makers manufacturer manufacturers "
    "developer developers chipmaker chipmakers brand brands platform platforms app apps bank banks"
)
# Last words of the names of public bodies ("Ministry of Home Affairs", "Indian Cyber Crime
# Coordination Centre").
BODY_HEADS = _words(
    "ministry department office committee council commission agency authority parliament congress "
    "senate assembly government administration court tribunal centre center service army navy police"
)
# Nouns of questions that ask for an amount ("What was the company's revenue?").
AMOUNT_NOUNS = _words(
    "revenue revenues profit profits turnover sales income budget budgets salary valuation price "
    "prices cost costs fine fines fee fees funding investment investments spending subsidy "
    "subsidies penalty penalties compensation"
)
# Nouns of questions that ask for a place ("Which countries...?").
PLACE_NOUNS = _words(
    "country countries nation nations state states government governments ally allies city cities "
    "town towns region regions place places capital capitals territory territories jurisdiction "
    "jurisdictions economies economy member-states"
)
# Nouns after a nationality adjective that make it the country acting ("the Danish government
# banned…"), unlike "the Danish company" or "Danish analysts".
STATE_NOUNS = _words(
    "government governments authorities authority ministry ministries regulator regulators "
    "officials parliament state military army navy police court courts administration embassy "
    "cabinet lawmakers legislators minister ministers leaders"
)
# Nationality adjectives and the country each names (the ones pycountry's names do not give).
DEMONYMS = {
    "american": "United States",
    "british": "United Kingdom",
    "english": "United Kingdom",
    "scottish": "United Kingdom",
    "welsh": "United Kingdom",
    "chinese": "China",
    "french": "France",
    "german": "Germany",
    "italian": "Italy",
    "spanish": "Spain",
    "portuguese": "Portugal",
    "dutch": "Netherlands",
    "belgian": "Belgium",
    "swiss": "Switzerland",
    "austrian": "Austria",
    "swedish": "Sweden",
    "norwegian": "Norway",
    "danish": "Denmark",
    "finnish": "Finland",
    "icelandic": "Iceland",
    "irish": "Ireland",
    "polish": "Poland",
    "czech": "Czechia",
    "slovak": "Slovakia",
    "hungarian": "Hungary",
    "romanian": "Romania",
    "bulgarian": "Bulgaria",
    "greek": "Greece",
    "turkish": "Türkiye",
    "russian": "Russia",
    "ukrainian": "Ukraine",
    "estonian": "Estonia",
    "latvian": "Latvia",
    "lithuanian": "Lithuania",
    "japanese": "Japan",
    "korean": "South Korea",
    "south korean": "South Korea",
    "north korean": "North Korea",
    "taiwanese": "Taiwan",
    "indian": "India",
    "pakistani": "Pakistan",
    "australian": "Australia",
    "canadian": "Canada",
    "mexican": "Mexico",
    "brazilian": "Brazil",
    "argentine": "Argentina",
    "israeli": "Israel",
    "iranian": "Iran",
    "iraqi": "Iraq",
    "saudi": "Saudi Arabia",
    "emirati": "United Arab Emirates",
    "egyptian": "Egypt",
    "south african": "South Africa",
    "nigerian": "Nigeria",
    "kenyan": "Kenya",
    "singaporean": "Singapore",
    "malaysian": "Malaysia",
    "indonesian": "Indonesia",
    "vietnamese": "Viet Nam",
    "thai": "Thailand",
    "filipino": "Philippines",
    "new zealand": "New Zealand",
}
# Short names and abbreviations of countries that pycountry spells out.
COUNTRY_ALIASES = {
    "United States": ("US", "U.S.", "USA", "U.S.A.", "America", "United States of America"),
    "United Kingdom": ("UK", "U.K.", "Britain", "Great Britain"),
    "China": ("PRC", "Mainland China", "People's Republic of China"),
    "Russia": ("Russian Federation",),
    "South Korea": ("Republic of Korea", "Korea"),
    "North Korea": ("DPRK",),
    "Iran": ("Islamic Republic of Iran",),
    "Taiwan": ("Taiwan",),
    "Czechia": ("Czech Republic",),
    "Türkiye": ("Turkey",),
    "Viet Nam": ("Vietnam",),
    "Netherlands": ("Holland", "the Netherlands"),
    "United Arab Emirates": ("UAE",),
    "European Union": ("EU", "E.U.", "European Union"),
}
# Words that mark a cause ("because", "over fears of").
CAUSE_MARKERS = (
    "because",
    "due to",
    "owing to",
    "as a result",
    "in order to",
    "so that",
    "so as to",
    "amid",
    "over concerns",
    "over fears",
    "over worries",
    "citing",
    "would cause",
    "would lead",
    "could lead",
    "lead to",
    "led to",
    "to avoid",
    "to ensure",
    "to prevent",
    "to protect",
    "in response",
    "the aim",
    "aimed at",
    "intended to",
    "designed to",
    "meant to",
    "reason",
    "reasons",
    "that is why",
    "this is why",
    "which is why",
    "which means",
    "means that",
    "therefore",
    "hence",
    "otherwise",
    "for fear",
    "on the grounds",
    "in a bid to",
    "so it could",
)
# How a source qualifies what a government or company did, kept beside each item of a list.
QUALIFIERS = (
    "banned",
    "bans",
    "ban",
    "barred",
    "bars",
    "blocked",
    "blocks",
    "excluded",
    "excludes",
    "exclude",
    "prohibited",
    "prohibits",
    "prohibit",
    "bar",
    "block",
    "restrict",
    "restricted",
    "restricts",
    "restrictions",
    "limited",
    "limits",
    "partial",
    "blanket",
    "outright",
    "effectively",
    "de facto",
    "considering",
    "considered",
    "weighing",
    "mulling",
    "reviewing",
    "review",
    "debating",
    "plans",
    "planned",
    "reversed",
    "lifted",
    "allowed",
    "allows",
    "permitted",
    "approved",
    "rejected",
    "refused",
    "opted",
    "chose",
    "chosen",
    "shut",
    "shut out",
    "kept out",
    "keep out",
    "removed",
    "remove",
    "phase out",
    "phased out",
    "dropped",
    "stripped",
    "no ban",
    "not banned",
    "without banning",
)
# Words that open a stance ("agreed", "rejected the claim").
STANCE_VERBS = _words(
    "agree agreed agrees disagree disagreed rejected rejects dismissed dismisses denied denies "
    "welcomed welcomes criticised criticized condemned condemns praised praises backed backs "
    "supported supports opposed opposes questioned questions doubted doubts insisted insists"
)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "million": 10**6,
    "millions": 10**6,
    "billion": 10**9,
    "billions": 10**9,
    "dozen": 12,
    "dozens": 12,
    "half": 0,
}
# Relations a question may ask about, each with the words that state it. A question using one
# of a relation's words is answered only by a sentence that states the relation too: "who took
# over from X?" is not answered by a sentence about X that names someone else for another reason.
RELATIONS: dict[str, tuple[str, ...]] = {
    "succession": (
        "took over from",
        "take over from",
        "taken over from",
        "takes over from",
        "succeeded",
        "succeed",
        "succeeds",
        "successor",
        "successors",
        "replaced",
        "replace",
        "replaces",
        "replacement",
        "in place of",
        "stepped in",
        "new head",
        "new chief",
        "new ambassador",
        "was appointed",
        "named as",
    ),
    "selection": (
        "picked",
        "pick",
        "picks",
        "chose",
        "chosen",
        "choose",
        "chooses",
        "selected",
        "select",
        "selects",
        "awarded",
        "award",
        "contract",
        "contracts",
        "hired",
        "hire",
        "appointed",
        "appoint",
        "tapped",
        "opted",
        "went with",
        "winning bid",
        "won the",
    ),
    "payment": (
        "paid",
        "pay",
        "paying",
        "pays",
        "payment",
        "payments",
        "fee",
        "fees",
        "price",
        "priced",
        "cost",
        "costs",
        "charged",
        "charge",
        "worth",
        "spent",
        "spend",
        "bought",
        "buy",
        "purchase",
        "purchased",
        "sold",
        "sell",
        "valued",
        "valuation",
        "retainer",
        "contract worth",
    ),
    "leaving": (
        "left",
        "leave",
        "leaves",
        "leaving",
        "quit",
        "quits",
        "resigned",
        "resign",
        "resigns",
        "resignation",
        "stepped down",
        "step down",
        "steps down",
        "departed",
        "departure",
        "fired",
        "sacked",
        "ousted",
        "dismissed",
        "exit",
        "stood down",
        "retired",
    ),
    "ruling": (
        "ruled",
        "ruling",
        "verdict",
        "judgment",
        "judgement",
        "upheld",
        "overturned",
        "struck down",
        "dismissed",
        "rejected",
        "found that",
        "decision",
        "decided",
        "sided with",
        "blocked",
    ),
    "voting": ("voted", "vote", "votes", "voting", "rebelled", "rebellion", "rebels", "abstained", "ballot"),
    # not "found": in news it is mostly "found that" (discovered)
    "founding": (
        "founded",
        "co-founded",
        "established",
        "set up",
        "created",
        "launched",
        "formed",
        "started",
    ),
    "naming": ("called", "named", "known as", "dubbed", "brand", "branded", "model", "titled"),
    "leadership": (
        "in charge",
        "head",
        "heads",
        "headed",
        "chief",
        "boss",
        "ceo",
        "director",
        "chairman",
        "chairwoman",
        "chair",
        "president",
        "leads",
        "led",
        "leader",
        "runs",
        "run by",
        "manager",
        "managing",
    ),
}
# The question words that call for each relation (a subset of its words that, in a question,
# say what is asked rather than what is known).
RELATION_TRIGGERS: dict[str, tuple[str, ...]] = {
    "succession": (
        "took over from",
        "take over from",
        "succeeded",
        "successor",
        "replaced as",
        "in place of",
        "who replaced",
        "replaced him",
        "replaced her",
    ),
    "selection": (
        "picked",
        "pick",
        "chose",
        "chosen",
        "choose",
        "selected",
        "awarded",
        "hired",
        "appointed to",
    ),
    "payment": ("paid", "pay", "paying", "fee", "price", "charged"),
    "leaving": ("quit", "resign", "resigned", "step down", "stepped down", "leave his job", "leave her job"),
    "ruling": ("rule", "ruled", "ruling", "verdict"),
    "leadership": ("in charge of", "heads", "runs", "who leads", "who led", "who is the head", "boss of"),
    "voting": ("voted", "vote"),
    "founding": ("founded", "established"),
    "naming": ("called", "named", "name of"),
}
# Idioms that use a relation's word for something else ("would pay a price" is not a payment).
# Who performs a relation, where a question names it ("how did the court rule"): a sentence
# stating the relation then names that kind of actor too (a "rule" of a ministry is no ruling).
RELATION_ACTORS: dict[str, tuple[str, ...]] = {
    "ruling": ("court", "courts", "judge", "judges", "tribunal", "justices", "judiciary"),
}
RELATION_IDIOMS: dict[str, tuple[str, ...]] = {
    "payment": (
        "pay a price",
        "pay the price",
        "pay a heavy price",
        "pay a high price",
        "paid a price",
        "paid the price",
    ),
}

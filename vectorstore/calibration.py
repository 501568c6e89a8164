"""Sample passages that calibrate int8 embedding (see ``vectorstore/onnx_int8.py``).

Written for this project, in the shape ingest gives the model (a title, a blank line, ~150 words
of news prose about technology and geopolitics). Int8 needs each layer's per-channel input range;
the outlier channels of a BERT model show on any ordinary English prose, so a handful of passages
is enough, and fixed passages keep the vectors the same from run to run.
"""

from __future__ import annotations

CALIBRATION_PASSAGES: tuple[str, ...] = (
    "Ministers weigh limits on foreign kit in phone networks\n\n"
    "The government said on Tuesday that it would publish a review of equipment suppliers for the "
    "country's mobile networks before the end of the year. Officials have spent months assessing "
    "whether components bought from overseas vendors could be used to disrupt services or gather "
    "data. Operators warned that a sudden ban would cost billions and delay the rollout of faster "
    "connections by two or three years, while security agencies argued that the core of each "
    "network must be kept free of suppliers considered high risk. A spokesperson for one of the "
    "largest carriers said the company would comply with any decision but asked for a transition "
    "period long enough to replace antennas and base stations without cutting customers off.",
    "Chip export rules tighten as talks stall\n\n"
    "Washington added a further fourteen companies to its export blacklist on Friday, barring them "
    "from buying advanced semiconductors and the machines used to make them without a licence. The "
    "commerce department said the firms had supported military programmes. Beijing called the move "
    "bullying and promised to protect the interests of its businesses. Analysts noted that the "
    "restrictions reach beyond American suppliers: equipment made in Europe and Japan with US "
    "technology inside is also covered. Shares in several toolmakers fell by more than 4% in early "
    "trading, and an industry group estimated that sales worth $7bn a year were now at risk.",
    "Undersea cable cut leaves islands offline for days\n\n"
    "Internet access across a chain of Pacific islands was restored on Sunday, six days after the "
    "only fibre link to the mainland was severed. The operator said a repair ship had located the "
    "break about 40km offshore. Banks, hospitals and schools had relied on a slow satellite "
    "connection in the meantime. Regional leaders renewed calls for a second cable, arguing that "
    "the outage showed how exposed small nations are. Several governments have offered to fund new "
    "routes, and diplomats say the choice of builder has become part of a wider contest for "
    "influence in the region.",
    "EU agrees rules for artificial intelligence in public services\n\n"
    "Negotiators from the European Parliament and member states reached a deal late on Wednesday "
    "on how public bodies may use automated decision systems. Under the agreement, tools that rank "
    "benefit claims or screen job applicants must be registered, tested for bias and explained to "
    "the people they affect. Facial recognition in public spaces will be allowed only in narrow "
    "cases approved by a judge. Civil liberties groups welcomed the limits but said enforcement "
    "would depend on national regulators, many of which lack staff. The rules take effect in 2026.",
    "Satellite broadband gains ground in rural markets\n\n"
    "Low-orbit satellite services signed up more than a million new subscribers in the first half "
    "of the year, according to figures released by the regulator, most of them in villages that "
    "fixed-line companies never reached. Prices have fallen as rival constellations launch, though "
    "the terminals remain expensive. Some governments worry about depending on a foreign company "
    "for critical communications and are studying national alternatives. Astronomers, for their "
    "part, complain that thousands of bright satellites are spoiling images of the night sky.",
    "Data must stay at home, says new privacy law\n\n"
    "A new law passed by parliament requires companies that handle citizens' personal information to "
    "store it on servers inside the country and to report any breach within 72 hours. Technology "
    "firms said the rules would raise costs and could push smaller start-ups out of the market. "
    "Supporters argued that local storage makes it easier for courts to protect users. Trade "
    "partners have raised the issue in talks, saying such requirements act as barriers to digital "
    "commerce. Companies have eighteen months to move their data.",
)

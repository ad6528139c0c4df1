"""Debt-collection call QA (催收质检): pure engines over call records with diarised transcripts.

* `records` turns raw dicts (JSONL/CSV/API) into `Call`s, naming each bad field;
* `adapter` is the seam for speech recognition: anything that yields diarised turns plugs in;
* `utterances` checks what the collector said (negation- and quotation-aware), `calls` checks each
  call's metadata (hours in the debtor's local time, callee relation, consent), `series` checks
  calls together (connected calls per debtor per day, attempts per number, re-contacting a third
  party who refused);
* `inspector` runs them all and returns one `Inspection` per call, each violation a `Finding`
  whose kind is `collection.<code>` with a fixed code (see `CODES`).
"""

CODES = (
    "call_outside_hours", "threat_violence", "insult_abuse", "impersonate_authority", "false_legal_consequence",
    "disclose_debt_to_third_party", "harass_third_party", "excessive_frequency", "refuse_hardship_negotiation",
    "no_self_identification", "mislead_amount",
)

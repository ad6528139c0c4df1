"""Collection QA use cases: import and inspect calls, disputes and decisions, scorecards, complaint links."""

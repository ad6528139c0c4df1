"""Complaint understanding: JR/T 0169 axes B and C, our finer categories, complaint points (诉点)
and escalation risk. Pure: text and rules data in, `Finding`s and plain predictions out.

Day one runs on the lexicon in `rules/classify_lexicon.yaml`; once the team's corrected labels have
trained a model (`model.LinearTextModel`, stored as plain npz), that model answers instead.
"""

"""Black/gray-industry complaint detection (代理维权, 反催收, 征信修复, 逃废债, 缠访): pure engines.

Signals each produce `Finding`s with evidence; the combiner turns them into a score per complaint.
A lexicon hit alone never flags a complaint: a genuine consumer may use the same words.
"""

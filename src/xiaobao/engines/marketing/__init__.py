"""Marketing pre-review (营销宣传预审): rule packs as data, Chinese rate parsing with IRR-based APR,
prominence of the APR, findings with spans and citations. Pure: no database, web or services."""

from xiaobao.engines.marketing.engine import MarketingEngine, Result, analyze, default_engine

__all__ = ["MarketingEngine", "Result", "analyze", "default_engine"]

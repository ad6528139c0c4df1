"""xiaobao (消保): a consumer-protection platform for Chinese consumer-finance companies."""

__version__ = "0.1.0"

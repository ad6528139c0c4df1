"""Pure engines: text or record in, findings or protected values out. No database, no web."""

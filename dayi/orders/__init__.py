"""Money: price lists, quotes, orders and their lifecycle, the append-only ledger, research-group accounts."""

"""The upstream wing: factories, line-haul, central and regional warehouses, their stock and the shops."""

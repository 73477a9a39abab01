"""Federation entities this subgraph contributes fields to: Enterprise and Region."""

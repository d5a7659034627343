"""Expert-panel disputes (registry, fair draw, votes, remedies): the next issue. Today the escrow
takes a council-signed decision directly through its `dispute.decide` step."""

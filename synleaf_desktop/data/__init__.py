"""Building training contexts: gene universe, omics alignment, KG restriction,
label balancing and CV splits. numpy/pandas only (no torch, no Qt)."""

"""Computing what is published: metrics with intervals, comparisons, rankings, trends and disclosure control."""

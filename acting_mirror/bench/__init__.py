"""``acting-mirror bench``: the offline pipeline benchmark (:mod:`.offline`) and the live
one that drives the real window on a simulated camera (:mod:`.live`)."""

"""``acting-mirror batch``: a class's takes at once, on Dask (one machine or many), and a
class report over them. A front end above the composition root, like ``bench``."""

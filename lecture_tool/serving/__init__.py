"""Serving: the live server, its event stream and the file watcher. It knows nothing of the site:
the serve command tells it what to watch and what a change means."""

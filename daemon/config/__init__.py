"""The config: where the files are, how the layers merge, the site locks, and the typed settings.

- ``paths``: where trustmail finds its files (shipped defaults, config layers, state);
- ``layers``: the files and how they merge (shipped < site + conf.d < user < --config);
- ``locks``: the settings a site file fixes; ``rules``: the effective rules and their examples;
- ``sections``: the daemon's own sections as typed dataclasses (the core's are in
  ``scoring.settings``);
- ``errors``: every error at once; ``load``: all of it together (``load_config``).
- ``rulebook_cache``: the rule packs validated and compiled once, cached by their content;
  ``settings_cache``: the validated scoring settings, cached by the files' content (a warm
  ``trustmail score`` reads no TOML); ``cache_file``: one entry of such a cache.

Imports nothing of the daemon outside this package.
"""

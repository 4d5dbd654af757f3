"""Loading a config repository: the manifest, the strict YAML front end, layer files and layering."""

"""Demo data, loaded through the real services: complaints and their handling (`complaints`, which
`xiaobao demo` runs and which loads the other two), collection calls (`collection`), marketing
materials (`marketing`). The names, places and sentences they draw from are YAML files in `data/`,
one per theme; the generators are deterministic for a given seed and clock."""

"""Pipeline conversion: Jenkinsfiles and GitHub Actions workflows to one GitLab CI pipeline.

The engine works offline from the files: parse (tree-sitter Groovy, schema-checked YAML),
convert to a typed GitLab CI model, emit ``.gitlab-ci.yml``, validate it against GitLab's
schema, and describe every construct it met in an audit report.
"""

"""Who is who on the course site: a Person beside each Django user (role, language, tokens)."""

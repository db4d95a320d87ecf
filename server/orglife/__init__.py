"""Organizational life (组织生活): 三会一课 and Party days on schedule; Party groups and committee members."""

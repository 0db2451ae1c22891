"""Applicant forms: organisation, partner-type profiles, channel, attachments, and the portal's small forms."""

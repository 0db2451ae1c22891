"""Model permissions of the four business roles (reviewer, approver, service officer, administrator).

The registry's own screens decide with `permissions.can`; these Django permissions govern what each role
sees in the Django admin. Nobody gets to delete review records or edit the audit trail.
"""

from django.db import migrations

VIEW_REVIEW = [
    "application", "requestedtype", "attachment", "revision", "organization", "organizationmember",
    "computeprofile", "dataprofile", "modelprofile", "applicationprofile", "investmentprofile", "scenario",
    "district", "industry", "internalnote", "reviewmessage", "decision", "objection", "membership",
    "membershipgrant", "auditevent", "invitationcode",
]
ROLE_PERMISSIONS = {
    "reviewer": [f"view_{m}" for m in VIEW_REVIEW] + ["add_internalnote", "add_reviewmessage"],
    "approver": [f"view_{m}" for m in VIEW_REVIEW] + [
        "add_internalnote", "add_reviewmessage", "add_decision", "change_objection", "change_membership"],
    "service_officer": [f"view_{m}" for m in ("organization", "organizationmember", "membership",
                                              "membershipgrant", "district", "industry")],
    "administrator": [f"view_{m}" for m in VIEW_REVIEW + ["decisionlettertemplate"]] + [
        "add_internalnote", "add_reviewmessage", "add_decision", "change_application", "change_objection",
        "change_membership", "add_decisionlettertemplate", "change_decisionlettertemplate",
        "add_invitationcode", "change_invitationcode", "change_organization"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; create them now so they can be granted.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="partners", codename__in=codenames)
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*Permission.objects.filter(content_type__app_label="partners",
                                                                codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0007_directory_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

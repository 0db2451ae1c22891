"""The scope each process's API asks of a key: reads, the process's own party's actions, staff decisions, writes."""

import pytest
from rest_framework.test import APIRequestFactory

from partners.api.applications import ApplicationViewSet
from partners.api.member_requests import MemberRequestViewSet
from partners.api.subsidy import PairingViewSet, SubsidyClaimViewSet
from partners.api.verification import VerificationCaseViewSet
from partners.models.api import ApiScope

READ, WRITE, REVIEW = ApiScope.APPLICATIONS_READ, ApiScope.APPLICATIONS_WRITE, ApiScope.REVIEW_WRITE

# What each request asks, by view and scope: "METHOD view-action", or "POST fire_action:workflow-action". A view
# action of "-" is a method the view does not answer: the key is asked what the view always asked of it (405 follows).
EXPECTED = {
    ApplicationViewSet: {
        READ: ["GET list", "GET retrieve", "HEAD retrieve", "OPTIONS metadata", "GET attachments"],
        WRITE: ["POST create", "PATCH partial_update", "POST attachments", "DELETE -", "POST fire_action:submit",
                "POST fire_action:resubmit", "POST fire_action:withdraw"],
        REVIEW: ["POST fire_action:start_review", "POST fire_action:no_such_action"],
    },
    VerificationCaseViewSet: {
        READ: ["GET list", "GET retrieve", "POST -", "DELETE -"],
        WRITE: ["POST fire_action:submit", "POST fire_action:withdraw"],
        REVIEW: ["POST fire_action:verify", "POST fire_action:transfer", "POST fire_action:no_such_action"],
    },
    MemberRequestViewSet: {
        READ: ["GET list", "GET retrieve", "PUT -"],
        WRITE: ["POST fire_action:confirm", "POST fire_action:reopen"],
        REVIEW: ["POST fire_action:resolve", "POST fire_action:escalate"],
    },
    PairingViewSet: {
        READ: ["GET list", "GET retrieve", "DELETE -"],
        WRITE: ["POST create", "POST fire_action:accept", "POST fire_action:decline", "POST fire_action:withdraw",
                "POST fire_action:submit"],
        REVIEW: ["POST fire_action:confirm", "POST fire_action:mark_formed"],
    },
    SubsidyClaimViewSet: {
        READ: ["GET list", "GET retrieve", "GET documents", "PATCH -"],
        WRITE: ["POST create", "POST documents", "POST fire_action:submit", "POST fire_action:withdraw"],
        REVIEW: ["POST fire_action:approve", "POST fire_action:pay"],
    },
}
CASES = [(view, request, scope) for view, by_scope in EXPECTED.items()
         for scope, requests in by_scope.items() for request in requests]


def required_scope(view_class, request):
    method, _space, action = request.partition(" ")
    view_action, _colon, workflow_action = action.partition(":")
    view = view_class()
    view.action = None if view_action == "-" else view_action
    view.kwargs = {"id": "x"} | ({"action_name": workflow_action} if workflow_action else {})
    return view.required_scope(APIRequestFactory().generic(method, "/"))


@pytest.mark.parametrize(("view_class", "request_", "scope"), CASES,
                         ids=[f"{v.__name__}-{r.replace(' ', '-')}" for v, r, _s in CASES])
def test_each_request_asks_the_scope_of_what_it_does(view_class, request_, scope):
    assert required_scope(view_class, request_) == scope

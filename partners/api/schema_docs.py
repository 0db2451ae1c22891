"""The schema says everything: tags, bilingual summaries, the headers of each operation, public operations,
links from a created application to its reads and actions, the webhook payload, and no placeholder URLs."""

from .schema import ERROR_STATUSES

# Tags in the order the documentation shows them, each described in both languages.
TAGS = [
    ("members", "The public member directory. 公开的成员名录。"),
    ("applications", "Organisations and their applications: drafts, attachments, the applicant's actions. "
                     "单位及其申报：草稿、附件与申报方操作。"),
    ("review", "Staff review: workflow actions of reviewers and approvers, and their decisions. "
               "工作人员审核：初审、复审操作及其决定。"),
    ("verification", "Organisation verification: who may act for an organisation, proven with documents and "
                     "checked by staff; claims and disputes with their actions. 单位核验：认领与争议及其操作。"),
    ("subsidy", "Pairings of user units with model teams, and compute subsidy claims with their actions. "
                "结对与算力补贴申请及其操作。"),
    ("catalogue", "The data catalogue: data sets offered, training-data demands and their explained matches. "
                  "数据供需目录：数据集、训练数据需求及匹配说明。"),
    ("showcase", "Published pilot cases and progress against the plan's yearly targets. "
                 "标杆案例展示与年度目标进展。"),
    ("requests", "Member requests (诉求): raised by a member, handled by its service officer, confirmed or "
                        "reopened by the member. 成员诉求：成员提出、服务专员办理、成员确认或重新提起。"),
    ("events", "The events feed for synchronisation, in commit order. 用于同步的事件流（按提交顺序）。"),
    ("webhooks", "Subscriptions that push events, signed, with their deliveries. 事件推送订阅（签名）及投递记录。"),
    ("reference", "Reference lists: partner types, districts, industries. 参考数据：伙伴类型、区、行业。"),
]

# operationId → (tag, English summary, 中文摘要)
OPERATIONS = {
    "v1_members_list": ("members", "List members", "成员列表"),
    "v1_members_retrieve": ("members", "Read a member", "查看成员"),
    "v1_organizations_list": ("applications", "List your organisations", "我的单位列表"),
    "v1_organizations_retrieve": ("applications", "Read an organisation", "查看单位"),
    "v1_applications_list": ("applications", "List applications", "申报列表"),
    "v1_applications_create": ("applications", "Start a draft application", "新建申报草稿"),
    "v1_applications_retrieve": ("applications", "Read an application", "查看申报"),
    "v1_applications_partial_update": ("applications", "Change a draft", "修改草稿"),
    "v1_applications_actions_create": ("review", "Fire a workflow action", "执行流程操作"),
    "v1_applications_attachments_list": ("applications", "List attachments", "附件列表"),
    "v1_applications_attachments_create": ("applications", "Upload an attachment", "上传附件"),
    "v1_decisions_list": ("review", "List review decisions", "审核决定列表"),
    "v1_decisions_retrieve": ("review", "Read a review decision", "查看审核决定"),
    "v1_verification_cases_list": ("verification", "List verification cases", "核验案件列表"),
    "v1_verification_cases_retrieve": ("verification", "Read a verification case", "查看核验案件"),
    "v1_verification_cases_actions_create": ("verification", "Fire a verification action", "执行核验操作"),
    "v1_pairings_list": ("subsidy", "List pairings", "结对列表"),
    "v1_pairings_create": ("subsidy", "Propose a pairing", "发起结对"),
    "v1_pairings_retrieve": ("subsidy", "Read a pairing", "查看结对"),
    "v1_pairings_actions_create": ("subsidy", "Fire a pairing action", "执行结对操作"),
    "v1_subsidy_claims_list": ("subsidy", "List subsidy claims", "算力补贴申请列表"),
    "v1_subsidy_claims_create": ("subsidy", "Start a draft subsidy claim", "新建算力补贴申请草稿"),
    "v1_subsidy_claims_retrieve": ("subsidy", "Read a subsidy claim", "查看算力补贴申请"),
    "v1_subsidy_claims_actions_create": ("subsidy", "Fire a subsidy-claim action", "执行算力补贴申请操作"),
    "v1_subsidy_claims_documents_list": ("subsidy", "List a claim's documents", "补贴申请材料列表"),
    "v1_subsidy_claims_documents_create": ("subsidy", "Upload a claim document", "上传补贴申请材料"),
    "v1_calls_list": ("review", "List calls for applications with their rubrics", "申报批次及评分细则列表"),
    "v1_calls_retrieve": ("review", "Read a call for applications", "查看申报批次"),
    "v1_applications_panel_retrieve": ("review", "Read the expert panel's aggregate", "查看专家评审汇总"),
    "v1_member_requests_list": ("requests", "List member requests", "成员诉求列表"),
    "v1_member_requests_retrieve": ("requests", "Read a member request", "查看成员诉求"),
    "v1_member_requests_actions_create": ("requests", "Fire a member-request action", "执行诉求操作"),
    "v1_events_list": ("events", "Read the events feed", "读取事件流"),
    "v1_datasets_list": ("catalogue", "List data sets", "数据集列表"),
    "v1_datasets_retrieve": ("catalogue", "Read a data set", "查看数据集"),
    "v1_demands_list": ("catalogue", "List data demands", "数据需求列表"),
    "v1_demands_retrieve": ("catalogue", "Read a data demand", "查看数据需求"),
    "v1_demands_matches_list": ("catalogue", "Data sets matching a demand, explained", "需求匹配的数据集及说明"),
    "v1_cases_list": ("showcase", "List published pilot cases", "标杆案例列表"),
    "v1_cases_retrieve": ("showcase", "Read a pilot case", "查看标杆案例"),
    "v1_target_progress_list": ("showcase", "Progress against the yearly targets", "年度目标进展"),
    "v1_webhooks_list": ("webhooks", "List your webhook subscriptions", "我的推送订阅列表"),
    "v1_webhooks_create": ("webhooks", "Subscribe to events", "订阅事件"),
    "v1_webhooks_retrieve": ("webhooks", "Read a subscription", "查看订阅"),
    "v1_webhooks_partial_update": ("webhooks", "Change a subscription", "修改订阅"),
    "v1_webhooks_destroy": ("webhooks", "End a subscription", "取消订阅"),
    "v1_webhooks_deliveries_list": ("webhooks", "List a subscription's deliveries", "订阅的投递记录"),
    "v1_webhooks_rotate_secret_create": ("webhooks", "Rotate a subscription's secret", "更换订阅密钥"),
    "v1_partner_types_list": ("reference", "List partner types", "伙伴类型列表"),
    "v1_districts_list": ("reference", "List districts", "区列表"),
    "v1_districts_retrieve": ("reference", "Read a district", "查看区"),
    "v1_industries_list": ("reference", "List industries", "行业列表"),
    "v1_industries_retrieve": ("reference", "Read an industry", "查看行业"),
}

# Read by anyone, with or without a key: the directory and the reference lists.
PUBLIC_OPERATIONS = {"v1_datasets_list", "v1_datasets_retrieve", "v1_demands_list", "v1_demands_retrieve",
                     "v1_demands_matches_list", "v1_cases_list", "v1_cases_retrieve", "v1_target_progress_list",
                     "v1_members_list", "v1_members_retrieve", "v1_partner_types_list", "v1_districts_list",
                     "v1_districts_retrieve", "v1_industries_list", "v1_industries_retrieve"}

HEADER_COMPONENTS = {
    "X-Request-ID": {"description": "The request's id: yours when you sent a sane one (8-128 of A-Z a-z 0-9 . _ : -), "
                                    "else a new one. Quote it when you report a problem. 请求编号。",
                     "schema": {"type": "string"}},
    "RateLimit-Limit": {"description": "Requests allowed in the window. 窗口内允许的请求数。",
                        "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "Requests left in the window. 窗口内剩余请求数。",
                            "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until a request is allowed again at the full rate. 重置前的秒数。",
                        "schema": {"type": "integer"}},
    "ETag": {"description": "The version of the resource shown; send it as If-Match to change it. 资源版本标签。",
             "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before trying again. 重试前需等待的秒数。",
                    "schema": {"type": "integer"}},
    "Deprecation": {"description": "Only when the URL named the resource by its old integer id: `@<unix time>` "
                                   "since when integer ids are deprecated (RFC 9745). 仅在以旧整数编号访问时出现。",
                    "schema": {"type": "string"}},
    "Sunset": {"description": "Only with Deprecation: the date from which integer ids answer 410 (RFC 8594). "
                              "整数编号停止服务的日期。",
               "schema": {"type": "string"}},
    "Link": {"description": "Only with Deprecation: `<the same URL by the resource's id>; rel=\"successor-version\"`. "
                            "以 UUID 编号表示的同一地址。",
             "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this answer replays the first answer to the same "
                                           "Idempotency-Key. 重放首次应答时为 true。",
                            "schema": {"type": "string", "enum": ["true"]}},
}

WRITE_ACTIONS = {"v1_applications_partial_update", "v1_applications_actions_create"}
ETAG_OPERATIONS = {"v1_applications_create", *WRITE_ACTIONS}


def _header(name):
    return {"$ref": f"#/components/headers/{name}"}


def describe_api(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("headers", {}).update(HEADER_COMPONENTS)
    result["tags"] = [{"name": name, "description": text} for name, text in TAGS]
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            _describe(path, method, operation)
    _webhook_payload(result)
    _no_placeholders(result)
    return result


ID_PARAMETER_DESCRIPTION = (
    "The resource's id: a UUID, as `id` in its answers. The integer ids of API v1's first release still answer "
    "(deprecated) with the headers Deprecation, Sunset and Link (rel=\"successor-version\", the URL by UUID), "
    "and 410 from the sunset date on; see docs/API.md. 资源编号（UUID）；旧的整数编号已弃用。")


def _public_id_parameter(path, operation):
    """Resources are addressed by their public id: the `{id}` of a path is a UUID, whatever regex routes it."""
    if "{id}" not in path:
        return False
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") == "id":
            parameter["schema"] = {"type": "string", "format": "uuid"}
            parameter["description"] = ID_PARAMETER_DESCRIPTION
    operation["responses"].setdefault("410", {
        "description": "Addressed by an integer id after its sunset date. 整数编号已停止服务。",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    return True


def _describe(path, method, operation):
    op_id = operation.get("operationId", "")
    by_id = _public_id_parameter(path, operation)
    tag, summary_en, summary_zh = OPERATIONS.get(op_id, ("applications", "", ""))
    operation["tags"] = [tag]
    if summary_en:
        operation["summary"] = f"{summary_en} · {summary_zh}"
    if op_id in PUBLIC_OPERATIONS:
        # No key needed; a key with members:read is counted against its own (higher) limit.
        operation["security"] = [{}, *operation.get("security", [])]
    parameters = operation.setdefault("parameters", [])
    parameters.append({"in": "header", "name": "X-Request-ID", "required": False, "schema": {"type": "string"},
                       "description": "Your id for this request, echoed in the answer. 您的请求编号，应答中原样返回。"})
    if op_id in WRITE_ACTIONS:
        parameters.append({"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                           "description": "The ETag you read; 412 when the application changed since. "
                                          "您读取时的 ETag；若其后已被修改则返回 412。"})
        operation["responses"].setdefault("412", {
            "description": "The resource changed since you read it (If-Match). 资源已被修改。",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    for code, response in operation.get("responses", {}).items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = _header("X-Request-ID")
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
            headers[name] = _header(name)
        if code == "429":
            headers["Retry-After"] = _header("Retry-After")
        if code in ("200", "201") and (method == "get" and path.endswith("}/") or op_id in ETAG_OPERATIONS):
            headers["ETag"] = _header("ETag")
        if code == "304":
            headers["ETag"] = _header("ETag")
        if method == "post" and code in ("200", "201", "409"):
            headers["Idempotent-Replayed"] = _header("Idempotent-Replayed")
        if by_id:
            for name in ("Deprecation", "Sunset", "Link"):
                headers[name] = _header(name)
    _links(op_id, operation)


def _links(op_id, operation):
    """OpenAPI links: from a created application to reading it, changing it and firing its actions."""
    if op_id != "v1_applications_create":
        return
    created = operation["responses"].get("201")
    if created is None:
        return
    created["links"] = {
        "ReadApplication": {"operationId": "v1_applications_retrieve", "parameters": {"id": "$response.body#/id"}},
        "ChangeDraft": {"operationId": "v1_applications_partial_update",
                        "parameters": {"id": "$response.body#/id"}},
        "FireAction": {"operationId": "v1_applications_actions_create", "parameters": {"id": "$response.body#/id"}},
        "ListAttachments": {"operationId": "v1_applications_attachments_list",
                            "parameters": {"id": "$response.body#/id"}},
    }


def _webhook_payload(result):
    """Webhooks POST the feed's event, signed: the same component, described for receivers."""
    schemas = result["components"].setdefault("schemas", {})
    if "Event" in schemas:
        schemas["WebhookEvent"] = {
            "allOf": [{"$ref": "#/components/schemas/Event"}],
            "description": "The body of a webhook POST: the event exactly as the feed shows it. Headers: "
                           "X-Registry-Event (the type), X-Registry-Delivery (the delivery's id), "
                           "X-Registry-Timestamp and X-Registry-Signature (`sha256=` HMAC-SHA256 of "
                           "`<timestamp>.<body>` with the subscription's secret). "
                           "推送请求体即事件流中的事件，附签名请求头。",
        }


def _no_placeholders(result):
    """DRF's cursor pages describe `next`/`previous` with example URLs of a host that is not ours."""
    def walk(node):
        if isinstance(node, dict):
            example = node.get("example")
            if isinstance(example, str) and "example.org" in example:
                node.pop("example")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)


__all__ = ["describe_api", "ERROR_STATUSES"]

"""Every page of the URL map, in Chinese and English, at phone (390 px) and desktop (1366 px) width, checked
in Chromium: no horizontal overflow, no text squeezed into a column narrower than two characters, no English
left in the Chinese pages' chrome, no raw codes (`application.created`, `→ draft`, `[{'`), no console error.

The pages, identities and arguments are in tests/browser/page_map.py (the demo data set supplies them).
One browser; one context per identity and language; each page is loaded once per language at 1366 px and
checked again after narrowing the window to 390 px.
"""


import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.demo.accounts import demo_email
from partners.demo.seed import seed
from partners.models import User

from .page_map import NOT_PAGES, is_admin_internal, is_api, pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1366, 390)
LANGUAGES = {"zh-hans": "zh-CN,zh;q=0.9", "en": "en"}
IDENTITIES = {"applicant": "applicant", "reviewer": "reviewer", "approver": "approver",
              "administrator": "admin", "security_admin": "secadmin", "audit_admin": "auditadmin",
              "system_admin": "sysadmin", "expert": "expert"}

# Latin words a Chinese page may show in its chrome: brands, formats, standards and abbreviations.
ALLOWED_WORDS = {"API", "PDF", "JSON", "ZIP", "CSV", "Excel", "TOTP", "ID", "IP", "URL", "SHA", "Webhook",
                 "Webhooks", "PFLOPS", "FP", "TB", "AI", "CNY", "USD", "EUR", "HKD", "BJAI", "GB", "HTTP", "HTTPS",
                 "OpenAPI", "Redoc", "Swagger", "English", "PNG", "JPEG", "Email", "REST", "XLSX", "PB", "GPU",
                 "MFA", "UTC", "GMT", "SME", "CEO", "CTO", "Ltd", "pdf", "jpg", "jpeg", "png"}

CHECKS = r"""(allowed) => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) {
    const wide = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect(); return r.right > window.innerWidth + 1 && r.width > 0;
    }).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                                (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
    problems.push(`overflow: page ${doc.scrollWidth}px wide in a ${window.innerWidth}px window (${wide.join(', ')})`);
  }
  const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0 &&
           !el.closest('.visually-hidden, [hidden], [aria-hidden=true]'); };
  const ownText = el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  const squeezed = [];
  for (const el of document.body.querySelectorAll('*')) {
    const text = ownText(el);
    if (text.length <= 2 || !visible(el)) continue;
    const s = getComputedStyle(el), r = el.getBoundingClientRect(), size = parseFloat(s.fontSize);
    const line = parseFloat(s.lineHeight) || size * 1.5;
    if (r.width < 2 * size && r.height > 2.5 * line) {
      squeezed.push(`"${text.slice(0, 20)}" ${Math.round(r.width)}px <${el.tagName.toLowerCase()}>`);
    }
  }
  if (squeezed.length) problems.push(`squeezed into a column narrower than two characters (${squeezed.length}): ` +
                                     squeezed.slice(0, 4).join('; '));
  // Literals marked translate="no" (a code to type, a header name) are meant as written.
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[translate=no], script, style, template').forEach(el => el.remove());
  const main = copy.textContent;
  const raw = main.match(/\b(?:application|objection|member|organization|session|auth|mfa|privacy|api_key|webhook|attachment|notification|letter_template|role|settings|retention|duties|personal_data|user)\.[a-z_]{3,}\b|\[\{'|→ (?:draft|submitted|in_review|changes_requested|final_review|publicity|admitted|rejected|withdrawn)\b|\b(?:request_changes|pass_to_final|return_to_review|start_review|uphold_objection)\b/g);
  if (raw) problems.push(`raw codes: ${[...new Set(raw)].slice(0, 5).join(', ')}`);
  if (document.documentElement.lang.startsWith('zh')) {
    const chrome = 'label, button, h1, h2, h3, h4, h5, h6, th, dt, legend, caption, summary, .nav-link, .btn, ' +
                   '.form-text, .badge, .breadcrumb, .navbar-text, option';
    const words = new Set();
    for (const el of document.querySelectorAll(chrome)) {
      if (!visible(el) && el.tagName !== 'OPTION') continue;
      if (el.closest('[lang=en], [translate=no], code, kbd, .data, [data-data]')) continue;
      const copy = el.cloneNode(true);  // literals inside (a code, a header name) are meant as written
      copy.querySelectorAll('code, kbd, [translate=no], [lang=en]').forEach(c => c.remove());
      const text = (el.tagName === 'OPTION' ? el.textContent : (copy.textContent || ''))
                     .replace(/\S+@\S+|https?:\/\/\S+/g, ' ');  // addresses are data
      for (const w of text.match(/[A-Za-z]{3,}/g) || []) {
        if (!allowed.includes(w)) words.add(w);
      }
    }
    for (const el of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
      if (el.closest('[lang=en], [translate=no]')) continue;
      for (const attr of ['placeholder', 'title', 'aria-label']) {
        for (const w of (el.getAttribute(attr) || '').match(/[A-Za-z]{3,}/g) || []) {
          if (!allowed.includes(w)) words.add(w);
        }
      }
    }
    if (words.size) problems.push(`English in the Chinese chrome: ${[...words].slice(0, 8).join(', ')}`);
  }
  return problems;
}"""


def url_names():
    """(name, route) of every named URL."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern),
                                namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield namespace + p.name, prefix + str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def _cookie_for(identity, live_server):
    if identity == "anonymous":
        return []
    client = Client()
    client.force_login(User.objects.get(email=demo_email(IDENTITIES[identity])))
    host = live_server.url.split("//", 1)[1].split(":")[0]
    return [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
             "domain": host, "path": "/"}]


def test_every_page_at_every_width_in_both_languages(live_server, browser, settings):
    settings.AXES_ENABLED = False
    seed()
    plan = pages()
    checked = {name for _who, name, _kwargs, _label in plan}
    unclassified = [name for name, route in url_names()
                    if name not in checked and name not in NOT_PAGES and not is_api(name, route)
                    and not is_admin_internal(name)]
    assert unclassified == [], f"URLs neither checked as pages nor listed in NOT_PAGES: {unclassified}"

    failures = []
    for identity in dict.fromkeys(who for who, *_rest in plan):
        cookies = _cookie_for(identity, live_server)
        for language, accept in LANGUAGES.items():
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900},
                                          extra_http_headers={"Accept-Language": accept})
            if cookies:
                context.add_cookies(cookies)
            page = context.new_page()
            errors = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.on("response", lambda r, errors=errors: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and r.request.resource_type != "document" else None)
            for who, name, kwargs, label in plan:
                if who != identity:
                    continue
                path = reverse(name, kwargs=kwargs)
                where = f"{identity} {language} {path}{f' ({label})' if label else ''}"
                errors.clear()
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                response = page.goto(live_server.url + path, wait_until="load")
                if response is None or response.status != 200:
                    failures.append(f"{where}: status {response.status if response else 'none'}")
                    continue
                for width in WIDTHS:
                    if width != WIDTHS[0]:
                        page.set_viewport_size({"width": width, "height": 900})
                    for problem in page.evaluate(CHECKS, sorted(ALLOWED_WORDS)):
                        failures.append(f"{where} @{width}: {problem}")
                for error in errors:
                    failures.append(f"{where}: console error: {error[:160]}")
            context.close()
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)

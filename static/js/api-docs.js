// Starts Swagger UI or ReDoc from data attributes, so the API documentation pages need no inline script.
"use strict";
(function () {
  const swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) {
    const header = swagger.dataset.csrfHeader;
    const token = swagger.dataset.csrfToken;
    window.ui = window.SwaggerUIBundle(Object.assign({
      url: swagger.dataset.schemaUrl,
      dom_id: "#swagger-ui",
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      requestInterceptor: function (request) {
        // Session-authenticated writes need the CSRF token; GETs and other origins never get it.
        if (!["GET", undefined].includes(request.method) && request.credentials === "same-origin") {
          request.headers[header] = token;
        }
        return request;
      },
    }, JSON.parse(swagger.dataset.settings || "{}")));
  }
  const redoc = document.getElementById("redoc-container");
  if (redoc && window.Redoc) {
    // ReDoc's sidebar badge fetches its logo from a CDN. The registry loads nothing from elsewhere (offline
    // intranets; the CSP would block it), so that one image comes from our own static files.
    const local = function (value) {
      return String(value).indexOf("https://cdn.redoc.ly/") === 0 ? redoc.dataset.logo : value;
    };
    const setAttribute = Element.prototype.setAttribute;
    Element.prototype.setAttribute = function (name, value) {
      return setAttribute.call(this, name, this.tagName === "IMG" && name === "src" ? local(value) : value);
    };
    const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
    Object.defineProperty(HTMLImageElement.prototype, "src", {
      configurable: true, enumerable: src.enumerable, get: src.get,
      set: function (value) { src.set.call(this, local(value)); },
    });
    window.Redoc.init(redoc.dataset.schemaUrl, JSON.parse(redoc.dataset.settings || "{}"), redoc);
  }
})();

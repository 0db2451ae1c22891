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
    window.Redoc.init(redoc.dataset.schemaUrl, JSON.parse(redoc.dataset.settings || "{}"), redoc);
  }
})();

// Swagger UI over this server's own OpenAPI document (same origin: "Try it out" calls this server).
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  // The document is the server's own: no external validator badge (it would call validator.swagger.io).
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});

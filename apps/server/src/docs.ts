import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Hono } from "hono";
// The package's main module also loads the 1.5 MB Swagger UI bundle into the server (~0.3 s
// of every start): only the helper that gives the folder is needed.
import getAbsoluteFSPath from "swagger-ui-dist/absolute-path.js";
import type { AppEnv } from "./env";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Stockroom API</title>
  <link rel="icon" href="/docs/favicon-32x32.png" />
  <link rel="stylesheet" href="/docs/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  // The default badge loads an image from validator.swagger.io: no network, ever.
  validatorUrl: null,
});`;

/** Swagger UI served from swagger-ui-dist on disk: /docs works with no network at all. */
export function mountDocs(app: Hono<AppEnv>) {
  const dir = getAbsoluteFSPath();
  const files = new Map<string, Uint8Array>();
  for (const name of Object.keys(ASSETS)) files.set(name, readFileSync(join(dir, name)));
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/", (c) => c.html(PAGE));
  app.get("/docs/init.js", (c) => c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/docs/:file", (c) => {
    const name = c.req.param("file");
    const body = files.get(name);
    if (!body) return c.notFound();
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": ASSETS[name]!,
      "cache-control": "public, max-age=86400",
    });
  });
}

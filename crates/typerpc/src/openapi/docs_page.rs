//! The `/docs` page: Swagger UI showing the OpenAPI document, loaded from
//! a public CDN by default (as FastAPI does) or from any copy of the
//! `swagger-ui-dist` package the page's users can reach.

/// Where the page loads Swagger UI from by default: the `swagger-ui-dist`
/// package (version 5) on the jsDelivr CDN.
pub const DEFAULT_VIEWER: &str = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5";

/// How the docs page looks and where it loads its viewer from.
///
/// ```
/// use typerpc::openapi::DocsPage;
///
/// // Swagger UI served by the host application, next to the router.
/// let page = DocsPage::new().viewer("/static/swagger-ui").title("Shop API");
/// let router = typerpc::Router::new().with_openapi("/openapi.json").with_docs_page("/docs", page);
/// # let _ = router;
/// ```
#[derive(Clone, Debug)]
pub struct DocsPage {
    viewer: String,
    title: String,
}

impl Default for DocsPage {
    fn default() -> DocsPage {
        DocsPage::new()
    }
}

impl DocsPage {
    /// Swagger UI from [`DEFAULT_VIEWER`], titled "API docs".
    pub fn new() -> DocsPage {
        DocsPage {
            viewer: DEFAULT_VIEWER.to_string(),
            title: "API docs".to_string(),
        }
    }

    /// Loads Swagger UI from `url`: a folder holding the files of the
    /// `swagger-ui-dist` package (`swagger-ui.css`, `swagger-ui-bundle.js`),
    /// absolute or relative to the page.
    pub fn viewer(mut self, url: impl Into<String>) -> DocsPage {
        self.viewer = url.into().trim_end_matches('/').to_string();
        self
    }

    /// Sets the page's title.
    pub fn title(mut self, title: impl Into<String>) -> DocsPage {
        self.title = title.into();
        self
    }

    /// The page's HTML, showing the document at `openapi_url` (absolute,
    /// or relative to the page).
    pub fn html(&self, openapi_url: &str) -> String {
        let viewer = attribute(&self.viewer);
        let title = text(&self.title);
        // The document's URL goes into a script as a JSON string, with `<`
        // escaped so it cannot close the script element.
        let url = serde_json::to_string(openapi_url)
            .unwrap_or_else(|_| "\"\"".into())
            .replace('<', "\\u003c");
        format!(
            r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{viewer}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{viewer}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: new URL({url}, window.location.href).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: true,
}});
</script>
</body>
</html>
"##
        )
    }
}

/// `s` escaped for an HTML attribute value.
fn attribute(s: &str) -> String {
    text(s).replace('"', "&quot;")
}

/// `s` escaped for HTML text.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The URL of `target` relative to a page at `page` (both absolute paths
/// on the same router), so that the page works under any prefix it is
/// mounted at.
pub(crate) fn relative(page: &str, target: &str) -> String {
    let depth = page.trim_start_matches('/').matches('/').count();
    let up = "../".repeat(depth);
    let target = target.trim_start_matches('/');
    if up.is_empty() {
        format!("./{target}")
    } else {
        format!("{up}{target}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_the_viewer_and_the_document() {
        let html = DocsPage::new()
            .viewer("/assets/swagger/")
            .html("./openapi.json");
        assert!(html.contains(r#"<link rel="stylesheet" href="/assets/swagger/swagger-ui.css">"#));
        assert!(html.contains(r#"<script src="/assets/swagger/swagger-ui-bundle.js"></script>"#));
        assert!(html.contains(r#"new URL("./openapi.json", window.location.href)"#));
        let default = DocsPage::new().html("x");
        assert!(default.contains(&format!("{DEFAULT_VIEWER}/swagger-ui-bundle.js")));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let html = DocsPage::new()
            .title("<script>alert(1)</script>")
            .viewer("\"><script>")
            .html("</script><script>alert(2)");
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("\"><script>"));
    }

    #[test]
    fn relative_urls_follow_the_page() {
        assert_eq!(relative("/docs", "/openapi.json"), "./openapi.json");
        assert_eq!(relative("/api/docs", "/openapi.json"), "../openapi.json");
        assert_eq!(
            relative("/docs/", "/api/openapi.json"),
            "../api/openapi.json"
        );
    }
}

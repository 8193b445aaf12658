//! `typerpc new NAME`: writes a service crate that builds and passes its
//! tests as generated: one message pair, one service, a test through the
//! in-memory client, the committed `.proto` and the test that keeps it in
//! step with the code, and a README with the two commands.

use std::path::{Path, PathBuf};

/// The files of a new project, by path under its folder.
pub fn files(name: &str, typerpc: &Dependency) -> Result<Vec<(PathBuf, String)>, String> {
    check_name(name)?;
    let names = Names::of(name);
    let fill = |template: &str| names.fill(template, typerpc);
    Ok(vec![
        (
            "Cargo.toml".into(),
            fill(include_str!("template/Cargo.toml.txt")),
        ),
        (
            "README.md".into(),
            fill(include_str!("template/README.md.txt")),
        ),
        (".gitignore".into(), "/target\n".into()),
        (
            "src/lib.rs".into(),
            fill(include_str!("template/lib.rs.txt")),
        ),
        (
            "src/main.rs".into(),
            fill(include_str!("template/main.rs.txt")),
        ),
        (
            "tests/service.rs".into(),
            fill(include_str!("template/service_test.rs.txt")),
        ),
        (
            "tests/proto_up_to_date.rs".into(),
            fill(include_str!("template/proto_test.rs.txt")),
        ),
        (
            Path::new("proto").join(names.proto_path()),
            fill(include_str!("template/service.proto.txt")),
        ),
    ])
}

/// Writes the project `name` into `dir`, which must not exist yet.
/// Returns the paths written.
pub fn write(dir: &Path, name: &str, typerpc: &Dependency) -> Result<Vec<PathBuf>, String> {
    let files = files(name, typerpc)?;
    if dir.exists() {
        return Err(format!("{} already exists", dir.display()));
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Where the new project gets typerpc from.
pub enum Dependency {
    /// The version of this command line, from the package registry.
    Version(&'static str),
    /// A local checkout of the typerpc crate (its folder).
    Path(PathBuf),
}

impl Dependency {
    fn toml(&self) -> String {
        match self {
            Dependency::Version(version) => format!("\"{version}\""),
            Dependency::Path(path) => {
                let path = path.display().to_string().replace('\\', "/");
                format!("{{ path = \"{}\" }}", path.replace('"', "\\\""))
            }
        }
    }
}

/// A crate name typerpc can build a package from: lower-case ASCII
/// letters, digits, `-` and `_`, starting with a letter.
fn check_name(name: &str) -> Result<(), String> {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(format!(
            "{name:?} cannot name a project: use lower-case letters, digits, - and _, starting with a letter (my-service)"
        ));
    }
    if [
        "typerpc",
        "tokio",
        "test",
        "std",
        "core",
        "alloc",
        "proc_macro",
    ]
    .contains(&name.replace('-', "_").as_str())
    {
        return Err(format!(
            "{name:?} cannot name a project: it is the name of a crate the project uses"
        ));
    }
    Ok(())
}

/// The names a project's files use.
struct Names {
    /// `my-shop`: the package, the binary.
    name: String,
    /// `my_shop`: the crate, in `use` paths.
    krate: String,
    /// `MyShopService`.
    service: String,
    /// `my_shop.v1`.
    package: String,
}

impl Names {
    fn of(name: &str) -> Names {
        let krate = name.replace('-', "_");
        let mut pascal: String = krate
            .split('_')
            .filter(|word| !word.is_empty())
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        if !pascal.ends_with("Service") {
            pascal.push_str("Service");
        }
        Names {
            name: name.to_string(),
            package: format!("{krate}.v1"),
            krate,
            service: pascal,
        }
    }

    /// `my_shop/v1/my_shop.proto`, as typerpc lays out the package.
    fn proto_path(&self) -> PathBuf {
        Path::new(&self.krate)
            .join("v1")
            .join(format!("{}.proto", self.krate))
    }

    fn fill(&self, template: &str, typerpc: &Dependency) -> String {
        template
            .replace("{{name}}", &self.name)
            .replace("{{crate}}", &self.krate)
            .replace("{{Service}}", &self.service)
            .replace("{{package}}", &self.package)
            .replace("{{typerpc}}", &typerpc.toml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_project_name() {
        let names = Names::of("my-shop");
        assert_eq!(names.krate, "my_shop");
        assert_eq!(names.service, "MyShopService");
        assert_eq!(names.package, "my_shop.v1");
        assert_eq!(names.proto_path(), Path::new("my_shop/v1/my_shop.proto"));
        assert_eq!(Names::of("billing_service").service, "BillingService");
        assert_eq!(Names::of("demo").service, "DemoService");
    }

    #[test]
    fn bad_names_are_refused() {
        for name in ["", "Demo", "1st", "my shop", "typerpc", "tokio", "../x"] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
        for name in ["demo", "my-shop", "shop2", "a_b"] {
            assert!(check_name(name).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn the_dependency_is_a_version_or_a_path() {
        let files = files("demo", &Dependency::Version("0.1.0")).unwrap();
        let manifest = &files
            .iter()
            .find(|(path, _)| path == Path::new("Cargo.toml"))
            .unwrap()
            .1;
        assert!(manifest.contains("typerpc = \"0.1.0\"\n"), "{manifest}");
        let files = files_with_path("demo", "/src/typerpc/crates/typerpc");
        assert!(files.contains("typerpc = { path = \"/src/typerpc/crates/typerpc\" }\n"));
        // Every placeholder is filled.
        for (path, text) in super::files("my-shop", &Dependency::Version("0.1.0")).unwrap() {
            assert!(!text.contains("{{"), "{}: {text}", path.display());
        }
    }

    fn files_with_path(name: &str, path: &str) -> String {
        files(name, &Dependency::Path(PathBuf::from(path)))
            .unwrap()
            .into_iter()
            .find(|(p, _)| p == Path::new("Cargo.toml"))
            .unwrap()
            .1
    }
}

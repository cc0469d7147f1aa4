//! Control catalogues (`checks/frameworks/<id>.yaml`): every control of a
//! framework with its title, so reports can show controls that no automated
//! check covers.

use serde::Deserialize;

/// One compliance framework and all its controls.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub controls: Vec<Control>,
}

/// One control (requirement, recommendation) of a framework.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// Family, requirement or section the control belongs to (`AU`, `10.2`).
    #[serde(default)]
    pub group: Option<String>,
    /// True for controls that are procedural (policies, roles, training)
    /// and can only be assessed manually.
    #[serde(default)]
    pub manual: bool,
}

impl Framework {
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }
}

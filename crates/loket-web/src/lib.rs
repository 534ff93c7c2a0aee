//! Loket's HTTP front: the router with every route, the JSON API under
//! `/api/v1` with its OpenAPI document, and the health check. The customer portal and the
//! agent workspace are server-rendered pages beside it.

pub mod agent;
pub mod api;
mod error;
mod files;
pub mod portal;
mod router;
mod state;

pub use error::ApiError;
pub use router::{PORTAL_UPLOAD_LIMIT, router, router_with_paths};
pub use state::{AppState, IpNet, PortalSettings};

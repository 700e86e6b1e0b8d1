//! Stand-ins for services that cannot run here, each keeping state and following the
//! service's documented API; and a real Redmine, which can.

pub mod gitea;
pub mod github;
pub mod gitlab;
pub mod redmine;
pub mod server;

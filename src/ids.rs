//! The ids of a topology's objects: indexes into the model's lists, made only by the crate
//! (by [`crate::model::build`] and the [`crate::graph::Topology`] iterators), so that an id
//! in hand always names an object of the topology it came from. This module imports
//! nothing, so every layer may use it.

/// A site: an index into the model's sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteId(pub(crate) usize);

/// A cluster: an index into the model's clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClusterId(pub(crate) usize);

/// A client: an index into the model's clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub(crate) usize);

/// An external service: an index into the model's services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub(crate) usize);

/// A mount: an index into the model's mounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MountId(pub(crate) usize);

macro_rules! index {
    ($($id:ident),*) => {$(
        impl $id {
            /// The position of the object in its list in the file (0-based), for stable
            /// labels such as `c0` in generated output.
            pub const fn index(self) -> usize {
                self.0
            }
        }
    )*};
}

index!(SiteId, ClusterId, ClientId, ServiceId, MountId);

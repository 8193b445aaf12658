//! `grpc.health.v1.Health`, served from a [`HealthReporter`]: `Check` and
//! `List` answer from the current statuses, `Watch` streams each change.

use super::messages::{
    HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse, ServingStatus,
};
use super::reporter::HealthReporter;
use crate::{service, Status, Stream};

/// The health service answering from a reporter.
#[derive(Clone, Debug)]
pub(crate) struct HealthService {
    reporter: HealthReporter,
}

impl HealthService {
    pub(crate) fn new(reporter: HealthReporter) -> HealthService {
        HealthService { reporter }
    }
}

/// Health checking: whether the server, and each service on it, serves.
#[service(package = "grpc.health.v1", name = "Health")]
impl HealthService {
    /// The status of one service (`""`: the server); NOT_FOUND for a
    /// service the server does not know.
    async fn check(&self, req: HealthCheckRequest) -> Result<HealthCheckResponse, Status> {
        let status = self.reporter.check(&req.service)?;
        Ok(HealthCheckResponse { status })
    }

    /// The status of every service the server knows.
    async fn list(&self, _req: HealthListRequest) -> Result<HealthListResponse, Status> {
        let statuses = self
            .reporter
            .statuses()
            .into_iter()
            .map(|(name, status)| (name, HealthCheckResponse { status }))
            .collect();
        Ok(HealthListResponse { statuses })
    }

    /// The status of one service now, then each change. Once the server
    /// shuts down the stream sends NOT_SERVING and ends with UNAVAILABLE,
    /// so that watchers learn it at once and graceful shutdown does not
    /// wait on streams that would never end.
    async fn watch(
        &self,
        req: HealthCheckRequest,
    ) -> Result<impl Stream<Item = Result<HealthCheckResponse, Status>>, Status> {
        let reporter = self.reporter.clone();
        let watch = self.reporter.watch(&req.service);
        Ok(typerpc::stream::unfold(
            (watch, reporter, false),
            |(mut watch, reporter, told)| async move {
                if told {
                    return Some((
                        Err(Status::unavailable("the server is shutting down")),
                        (watch, reporter, true),
                    ));
                }
                let status = watch.next().await?;
                // NOT_SERVING because of shutdown is the last word.
                let last = reporter.is_shutting_down() && status == ServingStatus::NotServing;
                Some((Ok(HealthCheckResponse { status }), (watch, reporter, last)))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Service;
    use typerpc::stream::StreamExt;

    #[test]
    fn the_schema_is_grpc_health() {
        let schema = HealthService::schema();
        assert_eq!((schema.package, schema.name), ("grpc.health.v1", "Health"));
        let names: Vec<_> = schema.methods.iter().map(|m| m.name).collect();
        assert_eq!(names, ["Check", "List", "Watch"]);
        assert!(schema.methods[2].server_streaming);
    }

    #[tokio::test]
    async fn watch_ends_after_not_serving_at_shutdown() {
        let reporter = HealthReporter::new();
        reporter.set_serving("a.v1.A");
        let service = HealthService::new(reporter.clone());
        let mut stream = Box::pin(
            service
                .watch(HealthCheckRequest {
                    service: "a.v1.A".into(),
                })
                .await
                .unwrap(),
        );
        let first = stream.next().await.unwrap().unwrap();
        assert_eq!(first.status, ServingStatus::Serving);
        reporter.shutdown();
        let second = stream.next().await.unwrap().unwrap();
        assert_eq!(second.status, ServingStatus::NotServing);
        let end = stream.next().await.unwrap().unwrap_err();
        assert_eq!(end.code(), crate::Code::Unavailable);
    }
}

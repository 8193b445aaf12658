//! The response streams of `ServerStream` and `BidiStream`: one state
//! machine that sends a definition's responses (each after the delay),
//! reads requests in between for full-duplex calls, and ends with the
//! definition's error, if any.

use std::collections::VecDeque;

use futures_util::stream::{self, Stream};
use typerpc::{Any, Context, RequestStream, Status};

use super::echo::{delay, request_info, requests_only, status_of};
use crate::types::{BidiStreamRequest, ConformancePayload, Error, StreamResponseDefinition};

/// How the requests of a call are read while responding.
pub(crate) enum Reading {
    /// Every request is in already (server streaming), or will be read
    /// before the first response (half-duplex bidi).
    AllFirst(Option<RequestStream<BidiStreamRequest>>),
    /// One request read, one response sent, alternating (full-duplex bidi).
    Alternating(RequestStream<BidiStreamRequest>),
}

/// Everything a response stream needs between two responses.
pub(crate) struct Responder {
    ctx: Context,
    reading: Option<Reading>,
    /// Requests received since the last response (all of them before the
    /// first one).
    received: Vec<Any>,
    data: VecDeque<Vec<u8>>,
    delay_ms: u32,
    error: Option<Error>,
    sent: usize,
    finished: bool,
}

impl Responder {
    /// Answers with `definition` (none: an empty stream), echoing
    /// `received` (the requests read so far) and reading the rest as
    /// `reading` says.
    pub(crate) fn new(
        ctx: Context,
        definition: Option<StreamResponseDefinition>,
        received: Vec<Any>,
        reading: Reading,
    ) -> Responder {
        let definition = definition.unwrap_or_else(|| StreamResponseDefinition {
            response_headers: Vec::new(),
            response_data: Vec::new(),
            response_delay_ms: 0,
            error: None,
            response_trailers: Vec::new(),
            raw_response: None,
        });
        Responder {
            ctx,
            reading: Some(reading),
            received,
            data: definition.response_data.into(),
            delay_ms: definition.response_delay_ms,
            error: definition.error,
            sent: 0,
            finished: false,
        }
    }

    /// The responses, as a stream of payloads.
    pub(crate) fn into_stream(self) -> impl Stream<Item = Result<ConformancePayload, Status>> {
        stream::unfold(self, |mut responder| async move {
            let item = responder.next().await?;
            Some((item, responder))
        })
    }

    /// The next response, the final error, or `None` once done.
    async fn next(&mut self) -> Option<Result<ConformancePayload, Status>> {
        if self.finished {
            return None;
        }
        let item = self.step().await;
        if !matches!(item, Some(Ok(_))) {
            self.finished = true;
        }
        item
    }

    async fn step(&mut self) -> Option<Result<ConformancePayload, Status>> {
        match self.reading.take() {
            Some(Reading::AllFirst(Some(mut requests))) => {
                while let Some(request) = match requests.message().await {
                    Ok(request) => request,
                    Err(status) => return Some(Err(status)),
                } {
                    self.received.push(Any::pack(&request));
                }
            }
            Some(Reading::AllFirst(None)) | None => {}
            Some(Reading::Alternating(mut requests)) => {
                // The first request was read before the stream started;
                // every later response waits for one more.
                let more = if self.sent == 0 {
                    true
                } else {
                    match requests.message().await {
                        Ok(Some(request)) => {
                            self.received.push(Any::pack(&request));
                            true
                        }
                        Ok(None) => false,
                        Err(status) => return Some(Err(status)),
                    }
                };
                // A request with no response left to answer it ends the
                // reading: what remains is the error, if any.
                if more && !self.data.is_empty() {
                    self.reading = Some(Reading::Alternating(requests));
                }
            }
        }
        if let Some(data) = self.data.pop_front() {
            let info = if self.sent == 0 {
                request_info(&self.ctx, std::mem::take(&mut self.received))
            } else {
                requests_only(std::mem::take(&mut self.received))
            };
            let full_duplex = matches!(self.reading, Some(Reading::Alternating(_)));
            // Half-duplex and server streams echo the request info once;
            // full-duplex responses echo the requests since the last one.
            let request_info = (self.sent == 0 || full_duplex).then_some(info);
            delay(self.delay_ms).await;
            self.sent += 1;
            return Some(Ok(ConformancePayload { data, request_info }));
        }
        let error = self.error.take()?;
        // An error before any response carries the request info instead.
        let info =
            (self.sent == 0).then(|| request_info(&self.ctx, std::mem::take(&mut self.received)));
        Some(Err(status_of(error, info.as_ref())))
    }
}

//! The messages and service schemas of gRPC server reflection, in both
//! packages clients use: `grpc.reflection.v1` and the older
//! `grpc.reflection.v1alpha` (grpcurl and `buf curl` try v1 first and fall
//! back to v1alpha). The two packages declare the same messages, so one
//! macro writes both; a test compares each with gRPC's official file.

/// Declares the reflection messages of one package.
macro_rules! reflection_package {
    ($package:tt, $file:tt) => {
        use $crate::Message;

        /// The `.proto` file these types belong to.
        pub const FILE: &str = $file;

        /// The package of these types.
        pub const PACKAGE: &str = $package;

        /// One request on a reflection stream.
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ServerReflectionRequest {
            /// The host the client talks to (echoed in `valid_host`).
            pub host: String,
            /// What the client asks for (numbers 3 to 7).
            #[rpc(tag = 3)]
            pub message_request: Option<MessageRequest>,
        }

        /// The oneof `message_request` of [`ServerReflectionRequest`].
        #[derive(Message, Clone, Debug, PartialEq)]
        pub enum MessageRequest {
            /// The file with this name (`shop/v1/shop.proto`), with the
            /// files it imports.
            FileByFilename(String),
            /// The file declaring this fully-qualified symbol
            /// (`shop.v1.ShopService`), with the files it imports.
            FileContainingSymbol(String),
            /// The file declaring this extension.
            FileContainingExtension(ExtensionRequest),
            /// The extension numbers declared for this message type.
            AllExtensionNumbersOfType(String),
            /// The services the server exposes (the content is ignored).
            ListServices(String),
        }

        /// An extension: the type it extends and its number.
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ExtensionRequest {
            /// The fully-qualified name of the extended message.
            pub containing_type: String,
            /// The extension's field number.
            pub extension_number: i32,
        }

        /// The answer to one [`ServerReflectionRequest`].
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ServerReflectionResponse {
            /// The request's `host`.
            pub valid_host: String,
            /// The request answered.
            pub original_request: Option<ServerReflectionRequest>,
            /// The answer (numbers 4 to 7).
            #[rpc(tag = 4)]
            pub message_response: Option<MessageResponse>,
        }

        /// The oneof `message_response` of [`ServerReflectionResponse`].
        #[derive(Message, Clone, Debug, PartialEq)]
        pub enum MessageResponse {
            /// Encoded `FileDescriptorProto`s.
            FileDescriptorResponse(FileDescriptorResponse),
            /// The extension numbers of a type.
            AllExtensionNumbersResponse(ExtensionNumberResponse),
            /// The services.
            ListServicesResponse(ListServiceResponse),
            /// Why the request could not be answered.
            ErrorResponse(ErrorResponse),
        }

        /// Files, each an encoded `google.protobuf.FileDescriptorProto`.
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct FileDescriptorResponse {
            /// The encoded descriptors, the file asked for first.
            pub file_descriptor_proto: Vec<Vec<u8>>,
        }

        /// The extension numbers declared for one message type.
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ExtensionNumberResponse {
            /// The fully-qualified name of the message type.
            pub base_type_name: String,
            /// The numbers.
            pub extension_number: Vec<i32>,
        }

        /// The services a server exposes.
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ListServiceResponse {
            /// One entry per service.
            pub service: Vec<ServiceResponse>,
        }

        /// One service of a [`ListServiceResponse`].
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ServiceResponse {
            /// The fully-qualified service name.
            pub name: String,
        }

        /// A request that could not be answered.
        #[derive(Message, Clone, Debug, PartialEq)]
        #[rpc(package = $package, file = $file)]
        pub struct ErrorResponse {
            /// A gRPC status code (5, NOT_FOUND, for unknown names).
            pub error_code: i32,
            /// What went wrong.
            pub error_message: String,
        }
    };
}

pub mod v1 {
    //! `grpc.reflection.v1` (`grpc/reflection/v1/reflection.proto`).
    reflection_package!("grpc.reflection.v1", "grpc/reflection/v1/reflection.proto");
}

pub mod v1alpha {
    //! `grpc.reflection.v1alpha`
    //! (`grpc/reflection/v1alpha/reflection.proto`), the older package
    //! with the same messages, still tried by many clients.
    reflection_package!(
        "grpc.reflection.v1alpha",
        "grpc/reflection/v1alpha/reflection.proto"
    );
}

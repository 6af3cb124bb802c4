// Errors that answer a request with a status code, as TF Serving maps its gRPC codes onto HTTP
// (INVALID_ARGUMENT 400, NOT_FOUND 404, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503,
// DEADLINE_EXCEEDED 504, anything else 500). Both APIs answer them as { "error": message }.
export class ServeError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const badRequest = (message: string) => new ServeError(400, message);
export const notFound = (message: string) => new ServeError(404, message);
export const queueFull = (message: string) => new ServeError(429, message);
export const unavailable = (message: string) => new ServeError(503, message);
export const deadlineExceeded = (message: string) => new ServeError(504, message);

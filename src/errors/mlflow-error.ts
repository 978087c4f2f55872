import type { ErrorCode } from '../gen/messages.js';
import { ERROR_CODE_CLASSIFICATION, httpStatusFor } from './status-table.js';

/** Names of the proto `ErrorCode` enum (mlflow/protos/databricks.proto), generated from the pin. */
export type ErrorCodeName = ErrorCode;

/**
 * The one error type. Every failure that reaches a client as MLflow JSON is one of these;
 * the HTTP layer turns it into `{"error_code", "message", "sqlstate"?, "error_class"?}`
 * exactly as `MlflowException.serialize_as_json` does.
 */
export class MlflowError extends Error {
  readonly errorCode: ErrorCodeName;
  readonly extra: Readonly<Record<string, unknown>> | undefined;

  constructor(message: string, errorCode: ErrorCodeName = 'INTERNAL_ERROR', extra?: Record<string, unknown>) {
    // A client error (4xx) is an answer, never logged as a failure: capturing its stack would be
    // most of what it costs (several µs per request, e.g. on every refused param overwrite).
    const limit = Error.stackTraceLimit;
    const expected = httpStatusFor(errorCode) < 500;
    if (expected) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      if (expected) Error.stackTraceLimit = limit;
    }
    this.name = 'MlflowError';
    this.errorCode = errorCode;
    this.extra = extra;
  }

  get httpStatus(): number {
    return httpStatusFor(this.errorCode);
  }

  /** The JSON body MLflow sends for this error (compact, key order as MLflow's). */
  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { error_code: this.errorCode, message: this.message };
    const cls = ERROR_CODE_CLASSIFICATION[this.errorCode];
    if (cls) {
      body.sqlstate = cls.sqlstate;
      body.error_class = cls.errorClass;
    }
    if (this.extra) Object.assign(body, this.extra);
    return body;
  }

  static invalidParameter(message: string): MlflowError {
    return new MlflowError(message, 'INVALID_PARAMETER_VALUE');
  }

  static notFound(message: string): MlflowError {
    return new MlflowError(message, 'RESOURCE_DOES_NOT_EXIST');
  }
}

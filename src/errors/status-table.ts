/**
 * The one code-to-status table. Matches `mlflow.exceptions.ERROR_CODE_TO_HTTP_STATUS`
 * of the pinned release; codes absent here answer 500, as in MLflow.
 */
export const ERROR_CODE_TO_HTTP_STATUS: Readonly<Record<string, number>> = {
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REQUEST_LIMIT_EXCEEDED: 429,
  CANCELLED: 499,
  RESOURCE_EXHAUSTED: 429,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  CUSTOMER_UNAUTHORIZED: 401,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
};

/**
 * `error_class` and `sqlstate` that MLflow derives from the code when a raise site passes
 * neither (mlflow/error_classification.py). Codes absent here carry neither key.
 */
export const ERROR_CODE_CLASSIFICATION: Readonly<Record<string, { errorClass: string; sqlstate: string }>> = {
  INTERNAL_ERROR: { errorClass: 'CLIENT_INTERNAL_ERROR', sqlstate: 'XXM00' },
  TEMPORARILY_UNAVAILABLE: { errorClass: 'CLIENT_INTERNAL_ERROR', sqlstate: 'XXM00' },
  INVALID_STATE: { errorClass: 'CLIENT_INTERNAL_ERROR', sqlstate: 'XXM00' },
  BAD_REQUEST: { errorClass: 'INVALID_PARAMETER_VALUE', sqlstate: 'KAM00' },
  INVALID_PARAMETER_VALUE: { errorClass: 'INVALID_PARAMETER_VALUE', sqlstate: 'KAM00' },
  NOT_FOUND: { errorClass: 'RESOURCE_NOT_FOUND', sqlstate: 'KAM00' },
  ENDPOINT_NOT_FOUND: { errorClass: 'RESOURCE_NOT_FOUND', sqlstate: 'KAM00' },
  RESOURCE_DOES_NOT_EXIST: { errorClass: 'RESOURCE_NOT_FOUND', sqlstate: 'KAM00' },
  RESOURCE_ALREADY_EXISTS: { errorClass: 'RESOURCE_ALREADY_EXISTS', sqlstate: 'KAM00' },
  PERMISSION_DENIED: { errorClass: 'PERMISSION_DENIED', sqlstate: 'KAM00' },
  CUSTOMER_UNAUTHORIZED: { errorClass: 'PERMISSION_DENIED', sqlstate: 'KAM00' },
  FEATURE_DISABLED: { errorClass: 'FEATURE_DISABLED', sqlstate: 'KAM00' },
};

export function httpStatusFor(code: string): number {
  return ERROR_CODE_TO_HTTP_STATUS[code] ?? 500;
}

import { MlflowError } from '../errors/mlflow-error.js';

/** `_validate_content_type(request, ["application/json"])`: POST and PUT only. */
export function checkContentType(method: string, contentType: string | undefined): void {
  if (method !== 'POST' && method !== 'PUT') return;
  if (contentType === undefined) {
    throw MlflowError.invalidParameter('Bad Request. Content-Type header is missing.');
  }
  // MLflow splits off parameters without trimming: "application/json ; x" is refused.
  const semi = contentType.indexOf(';');
  if ((semi < 0 ? contentType : contentType.slice(0, semi)) !== 'application/json') {
    throw MlflowError.invalidParameter("Bad Request. Content-Type must be one of ['application/json'].");
  }
}

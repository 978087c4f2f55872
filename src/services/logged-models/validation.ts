/** Request checks of the logged-model RPCs (mlflow/utils/validation.py). */
import { MlflowError } from '../../errors/mlflow-error.js';
import { reprStr } from '../../py/repr.js';

const BAD_NAME_CHARS = ['/', ':', '.', '%', '"', "'"];

/** _validate_logged_model_name (None, i.e. an empty name in the request, is not checked). */
export function validateLoggedModelName(name: string | undefined): void {
  if (!name) return;
  if (BAD_NAME_CHARS.some((c) => name.includes(c))) {
    throw MlflowError.invalidParameter(
      `Invalid model name (${reprStr(name)}) provided. Model name must be a non-empty string ` +
        `and cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
    );
  }
}

// The files of a console proposal: the editor's one file (name + text) and any uploads
// (a .yaml upload is a test table under tests/). Sizes are bounded by canonicalFiles later;
// uploads are capped here before they are read.
import { MAX_FILE_BYTES, MAX_FILES } from '../policy/index.js';
import { AdminError } from './AdminError.js';

export async function filesFromForm(body: Record<string, unknown>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  const text = typeof body.text === 'string' ? body.text : '';
  if (name !== '') out[name] = text;
  else if (text.trim() !== '') throw new AdminError('bad-query', { message: 'give the edited file a name (e.g. maintenance.cedar)' });
  const uploads = (Array.isArray(body.upload) ? body.upload : body.upload === undefined ? [] : [body.upload]).filter((f): f is File => f instanceof File && f.size > 0);
  if (uploads.length > MAX_FILES) throw new AdminError('bad-query', { message: `at most ${MAX_FILES} files` });
  for (const f of uploads) {
    if (f.size > MAX_FILE_BYTES) throw new AdminError('bad-query', { message: `${f.name}: larger than ${MAX_FILE_BYTES} bytes` });
    const base = f.name.split(/[\\/]/).pop() ?? f.name;
    out[/\.ya?ml$/.test(base) ? `tests/${base}` : base] = await f.text();
  }
  if (Object.keys(out).length === 0) throw new AdminError('bad-query', { message: 'nothing to propose: edit a file or upload one' });
  return out;
}

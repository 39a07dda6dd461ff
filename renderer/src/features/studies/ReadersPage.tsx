import { useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api/client.ts';
import { useApi } from '../../ui/useApi.ts';
import { AccessCode } from './AccessCode.tsx';

export function ReadersPage() {
  const { data: readers, error, reload } = useApi('readers.list', {});
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<{ name: string; code: string }[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const { reader, accessCode } = await call('readers.create', { name });
      setIssued((list) => [...list, { name: reader.name, code: accessCode }]);
      setName('');
      reload();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const reissue = async (readerId: number) => {
    if (!window.confirm('Issue a new access code? The old code stops working at once.')) return;
    try {
      const { reader, accessCode } = await call('readers.reissueCode', { readerId });
      setIssued((list) => [...list, { name: reader.name, code: accessCode }]);
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <section className="page narrow">
      <h1>Readers</h1>
      <form className="card row" onSubmit={create}>
        <label className="field grow">
          <span>New reader's name</span>
          <input
            name="readerName"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Dr A. Example"
          />
        </label>
        <button className="btn primary" type="submit" disabled={!name.trim()}>
          Add reader
        </button>
      </form>
      {issued.map((i, k) => (
        <AccessCode
          key={`${i.code}`}
          name={i.name}
          code={i.code}
          onDismiss={() => setIssued((l) => l.filter((_, j) => j !== k))}
        />
      ))}
      {(error || failure) && <p className="error">{error ?? failure}</p>}
      {readers && readers.length > 0 && (
        <div className="card">
          <table className="table">
            <thead>
              <tr>
                <th>Reader</th>
                <th>Added</th>
                <th className="num">Studies</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {readers.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>{new Date(r.createdAt).toLocaleDateString()}</td>
                  <td className="num">{r.studyIds.length}</td>
                  <td className="actions">
                    <button className="btn ghost small" onClick={() => void reissue(r.id)}>
                      New access code
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// A refused customer action, in words, where the agent pressed the button.
export function ActionError({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p role="alert" className="form-error">
      {message}
    </p>
  );
}

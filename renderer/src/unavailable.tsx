// Shown when neither Electron's preload nor the web mode's script provided the API.
export function Unavailable() {
  return (
    <main className="unavailable" role="alert">
      <h1>Berth can't reach its engine</h1>
      <p>This page needs the Berth app or <code>berth ui</code> to serve it. Open the link that <code>berth ui</code> printed,
        including its token, or start the Berth app.</p>
    </main>
  );
}

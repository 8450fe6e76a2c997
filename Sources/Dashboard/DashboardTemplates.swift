/// The dashboard's Mustache templates and assets, compiled into the binary (no files beside it,
/// no CDN). `{{x}}` escapes HTML; nothing a repository or cluster holds is ever written unescaped.
enum DashboardTemplates {
    static let header = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · gitops</title>
        <link rel="stylesheet" href="/assets/dashboard.css">
        <script src="/assets/dashboard.js" defer></script>
        </head>
        <body>
        <header><a class="home" href="/">gitops</a> <nav class="top"><a href="/">Environments</a> <a href="/history">History</a> <a href="/compare">Compare</a></nav> <span class="revision">{{revision}}</span> <span class="loaded" title="when the repository was read">read {{loaded}}</span></header>
        <main>
        """

    static let footer = """
        </main>
        <footer>Read-only. JSON: <a href="{{api}}">{{api}}</a></footer>
        </body>
        </html>
        """

    static let environments = """
        {{> header}}
        <h1>Environments</h1>
        <p><input type="search" class="filter" data-filter="#environments" placeholder="Filter" aria-label="Filter environments"></p>
        <table id="environments">
        <thead><tr><th>Environment</th><th>From</th><th>Sync</th><th>Revision</th><th>When</th><th>Objects</th><th>Live</th><th>Findings</th><th>Rollouts</th><th>Last message</th></tr></thead>
        <tbody>
        {{#environments}}
        <tr class="row">
        <td><a href="/environments/{{link}}">{{name}}</a><div class="sub">{{namespace}}</div></td>
        <td>{{promotesFrom}}</td>
        <td><span class="state {{stateClass}}">{{state}}</span></td>
        <td><code>{{clusterRevision}}</code></td>
        <td>{{clusterTime}}</td>
        <td>{{objectCount}}</td>
        <td>{{#clusterRead}}<span class="state {{outOfSyncClass}}">{{outOfSync}}</span> <span class="state {{unhealthyClass}}">{{unhealthy}}</span>{{/clusterRead}}{{#liveError}}<span class="state unknown" title="{{liveError}}">not read</span>{{/liveError}}</td>
        <td>{{#errors}}<span class="state bad">{{errors}}</span> {{/errors}}{{#warnings}}<span class="state warn">{{warnings}}</span>{{/warnings}}{{^errors}}{{^warnings}}<span class="state good">clean</span>{{/warnings}}{{/errors}}</td>
        <td>{{#rollouts}}<div>{{workload}}: <span class="state {{phaseClass}}">{{phase}}</span> {{weight}}%</div>{{/rollouts}}</td>
        <td class="message">{{message}}</td>
        </tr>
        {{/environments}}
        </tbody>
        </table>
        {{> branches}}
        {{> footer}}
        """

    static let environment = """
        {{> header}}
        <nav><a href="/">Environments</a> › {{name}}</nav>
        <h1>{{name}} <span class="state {{stateClass}}">{{state}}</span></h1>
        <dl class="facts">
        <dt>Namespace</dt><dd>{{namespace}}</dd>
        {{#promotesFrom}}<dt>Promotes from</dt><dd><a href="/environments/{{promotesFromLink}}">{{promotesFrom}}</a></dd>{{/promotesFrom}}
        {{#promotesTo}}<dt>Promotes to</dt><dd><a href="/environments/{{link}}">{{name}}</a></dd>{{/promotesTo}}
        <dt>Cluster</dt><dd>{{clusterSummary}}</dd>
        {{#clusterRead}}<dt>Live</dt><dd><span class="state {{outOfSyncClass}}">{{outOfSync}}</span> <span class="state {{unhealthyClass}}">{{unhealthy}}</span></dd>{{/clusterRead}}
        {{#liveError}}<dt>Live</dt><dd>not read: {{liveError}}</dd>{{/liveError}}
        <dt>History</dt><dd><a href="/history">commits that changed it</a></dd>
        </dl>
        {{#renderError}}<section class="problem"><h2>Does not render</h2><pre>{{renderError}}</pre></section>{{/renderError}}
        {{#hasRollouts}}
        <section><h2>Rollouts</h2>
        <table><thead><tr><th>Workload</th><th>Phase</th><th>Step</th><th>Weight</th><th>Revision</th><th>Detail</th></tr></thead><tbody>
        {{#rollouts}}<tr><td>{{workload}}</td><td><span class="state {{phaseClass}}">{{phase}}</span></td><td>{{step}}</td><td>{{weight}}%</td><td><code>{{revision}}</code></td><td>{{message}}{{#analysis}}<div class="sub">{{.}}</div>{{/analysis}}</td></tr>{{/rollouts}}
        </tbody></table></section>
        {{/hasRollouts}}
        {{> branches}}
        {{#driftRead}}
        <section id="drift"><h2>Drift</h2>
        {{^hasDrift}}<p class="state good">Every object is as Git has it.</p>{{/hasDrift}}
        {{#drift}}<details class="drift" open><summary><span class="state {{actionClass}}">{{action}}</span> {{#path}}<a href="{{path}}">{{title}}</a>{{/path}}{{^path}}{{title}}{{/path}}</summary>{{> diff}}</details>{{/drift}}
        </section>
        {{/driftRead}}
        <section><h2>Findings</h2>
        {{^findings}}<p class="state good">No findings: schemas and policies pass.</p>{{/findings}}
        {{#hasFindings}}
        <table id="findings"><thead><tr><th>Severity</th><th>Where</th><th>Rule</th><th>Object</th><th>Message</th></tr></thead><tbody>
        {{#findings}}<tr><td><span class="state {{severityClass}}">{{severity}}</span></td><td><code>{{file}}:{{line}}:{{column}}</code></td><td>{{rule}}</td><td>{{object}}</td><td class="message">{{message}}</td></tr>{{/findings}}
        </tbody></table>
        {{/hasFindings}}
        </section>
        <section><h2>Objects</h2>
        <p><input type="search" class="filter" data-filter="#objects" placeholder="Filter" aria-label="Filter objects"></p>
        <div id="objects">
        {{#releases}}
        <details open class="release"><summary><strong>{{name}}</strong> <span class="sub">{{source}}</span>{{#rollout}} <span class="state info">{{rollout}}</span>{{/rollout}}</summary>
        {{#kinds}}<div class="kind"><h3>{{kind}}</h3><ul>{{#objects}}<li class="row"><a href="{{path}}">{{name}}</a>{{#sync}} <span class="state {{syncClass}}">{{sync}}</span>{{/sync}}{{#health}} <span class="state {{healthClass}}" title="{{healthDetail}}">{{health}}</span>{{/health}} <span class="sub">{{file}}:{{line}}</span></li>{{/objects}}</ul></div>{{/kinds}}
        </details>
        {{/releases}}
        </div>
        </section>
        {{> footer}}
        """

    static let object = """
        {{> header}}
        <nav><a href="/">Environments</a> › <a href="/environments/{{environmentLink}}">{{environment}}</a> › {{kind}} {{name}}</nav>
        <h1>{{kind}} {{name}}</h1>
        <dl class="facts">
        <dt>Namespace</dt><dd>{{namespace}}</dd>
        <dt>Release</dt><dd>{{release}}</dd>
        <dt>Source</dt><dd><code>{{file}}:{{line}}</code></dd>
        {{#clusterRead}}<dt>Live</dt><dd><span class="state {{syncClass}}">{{sync}}</span> <span class="state {{healthClass}}">{{health}}</span></dd>{{/clusterRead}}
        </dl>
        {{#hasDiff}}
        <section id="diff"><h2>Diff <span class="sub">live → Git</span></h2>
        <p class="views">{{#split}}<a href="{{self}}">Unified</a> · <strong>Side by side</strong>{{/split}}{{^split}}<strong>Unified</strong> · <a href="{{self}}?view=split">Side by side</a>{{/split}}</p>
        {{#split}}<table class="diff split"><thead><tr><th>Live</th><th>Git</th></tr></thead><tbody>{{#rows}}<tr><td class="{{leftCls}}"><pre>{{left}}</pre></td><td class="{{rightCls}}"><pre>{{right}}</pre></td></tr>{{/rows}}</tbody></table>{{/split}}
        {{^split}}{{> diff}}{{/split}}
        </section>
        {{/hasDiff}}
        <div class="columns">
        <section><h2>Rendered <span class="sub">Git</span></h2><pre class="yaml">{{yaml}}</pre></section>
        {{#clusterRead}}<section><h2>Live <span class="sub">cluster</span></h2>{{#live}}<pre class="yaml" id="live">{{live}}</pre>{{/live}}{{^live}}<p class="state bad">Not in the cluster.</p>{{/live}}</section>{{/clusterRead}}
        </div>
        {{> footer}}
        """

    /// The open promotion branches (`branches`, shown when `hasBranches`).
    static let branches = """
        {{#hasBranches}}
        <section id="branches"><h2>Open promotion branches</h2>
        <table><thead><tr><th>Branch</th><th>Into</th><th>Change</th><th>Gates</th></tr></thead><tbody>
        {{#branches}}<tr class="row"><td><code>{{name}}</code><div class="sub">{{kind}} · {{commit}} · {{time}}</div></td><td><a href="/environments/{{link}}">{{environment}}</a></td><td>{{summary}}</td><td><span class="state {{gatesClass}}">{{gates}}</span>{{#findings}}<div class="sub"><code>{{where}}</code> {{severity}} {{rule}}: {{message}}</div>{{/findings}}</td></tr>{{/branches}}
        </tbody></table></section>
        {{/hasBranches}}
        """

    /// A unified diff's rows (`rows`: `cls`, `text`).
    static let diff = """
        <pre class="diff">{{#rows}}<span class="{{cls}}">{{text}}</span>{{/rows}}</pre>
        """

    static let history = """
        {{> header}}
        <nav><a href="/">Environments</a> › History</nav>
        <h1>History</h1>
        {{^hasCommits}}<p>No commit changed what an environment renders.</p>{{/hasCommits}}
        <table id="history"><thead><tr><th>Commit</th><th>What</th><th>Environments and objects changed</th></tr></thead><tbody>
        {{#commits}}
        <tr class="row">
        <td><code>{{short}}</code><div class="sub">{{time}}</div><div class="sub">{{author}}</div></td>
        <td>{{#marked}}<span class="state {{kindClass}}">{{kind}}</span> {{/marked}}{{summary}}{{#detail}}<div class="sub">{{detail}}</div>{{/detail}}</td>
        <td>{{#environments}}<details><summary><a href="/environments/{{link}}">{{environment}}</a>: {{count}}{{#problem}} <span class="state bad">{{problem}}</span>{{/problem}}</summary><ul>{{#objects}}<li>{{.}}</li>{{/objects}}</ul></details>{{/environments}}</td>
        </tr>
        {{/commits}}
        </tbody></table>
        {{> footer}}
        """

    static let compare = """
        {{> header}}
        <nav><a href="/">Environments</a> › Compare</nav>
        <h1>Compare revisions</h1>
        <form method="get" action="/compare" class="compare">
        <label>From <input name="from" value="{{from}}"></label> <label>To <input name="to" value="{{to}}"></label> <button type="submit">Compare</button>
        </form>
        {{#compared}}<p class="sub">{{fromLabel}} → {{toLabel}}</p>{{/compared}}
        {{#error}}<section class="problem"><h2>Not compared</h2><pre>{{error}}</pre></section>{{/error}}
        {{#environments}}
        <section class="compared"><h2>{{name}}</h2>
        <p>{{summary}} · findings: {{findings}}</p>
        {{#problems}}<pre class="problem">{{.}}</pre>{{/problems}}
        {{#changes}}<details class="drift"><summary><span class="state info">{{action}}</span> {{title}}</summary>{{> diff}}</details>{{/changes}}
        </section>
        {{/environments}}
        {{> footer}}
        """

    static let notFound = """
        {{> header}}
        <h1>Not found</h1>
        <p>{{message}}</p>
        <p><a href="/">All environments</a></p>
        {{> footer}}
        """

    static let css = """
        :root { --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --good: #1a7f37; --bad: #cf222e; --warn: #9a6700; --info: #0969da; }
        @media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --good: #3fb950; --bad: #f85149; --warn: #d29922; --info: #58a6ff; } }
        body { font: 14px/1.45 system-ui, sans-serif; margin: 0; background: var(--bg); color: var(--fg); }
        header, footer { padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); color: var(--muted); }
        footer { border-top: 1px solid var(--line); border-bottom: 0; margin-top: 2rem; }
        header .home { font-weight: 700; color: var(--fg); text-decoration: none; margin-right: 1rem; }
        main { padding: 0 1.5rem; max-width: 1400px; }
        a { color: var(--info); }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        .sub { color: var(--muted); font-size: 12px; }
        .message { max-width: 40rem; overflow-wrap: anywhere; }
        .state { display: inline-block; padding: 0 .45rem; border-radius: 1rem; border: 1px solid currentColor; font-size: 12px; white-space: nowrap; }
        .good { color: var(--good); } .bad { color: var(--bad); } .warn { color: var(--warn); } .info { color: var(--info); } .unknown { color: var(--muted); }
        pre { background: rgba(127,127,127,.08); padding: .8rem; overflow: auto; border-radius: 6px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; }
        details.release { margin: .4rem 0; }
        .kind h3 { font-size: 13px; margin: .4rem 0 .1rem 1rem; color: var(--muted); }
        .kind ul { margin: 0 0 0 1rem; padding-left: 1rem; }
        input.filter { padding: .3rem .5rem; width: 20rem; max-width: 100%; }
        nav.top { display: inline; margin-right: 1rem; } nav.top a { margin-right: .6rem; }
        pre.diff span { display: block; white-space: pre; }
        pre.diff .add, table.diff .add { background: rgba(46,160,67,.18); } pre.diff .del, table.diff .del { background: rgba(248,81,73,.18); }
        pre.diff .gap, table.diff .gap { color: var(--muted); }
        table.diff td { padding: 0 .4rem; width: 50%; } table.diff pre { margin: 0; padding: 0; background: none; white-space: pre-wrap; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; }
        form.compare input { padding: .3rem .5rem; width: 14rem; }
        """

    /// Small enhancements; every page works without them: a filter for tables and lists, and a
    /// reload every 15 s while the page is visible.
    static let javascript = """
        document.querySelectorAll('input.filter').forEach(function (input) {
          input.addEventListener('input', function () {
            var needle = input.value.toLowerCase();
            document.querySelectorAll(input.dataset.filter + ' .row').forEach(function (row) {
              row.style.display = row.textContent.toLowerCase().indexOf(needle) >= 0 ? '' : 'none';
            });
          });
        });
        setInterval(function () {
          if (document.visibilityState === 'visible' && !document.querySelector('input.filter:focus')) { location.reload(); }
        }, 15000);
        """
}

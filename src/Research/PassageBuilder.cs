using System.Text;

namespace Missions.Research;

/// <summary>Gathers blocks into passages of about <see cref="PageReader.PassageWords"/> words, each under its heading.</summary>
internal sealed class PassageBuilder
{
    private readonly List<Passage> _passages = [];
    private readonly StringBuilder _current = new();
    private int _words;
    private string _heading = "";
    private string _term = "";

    public void Heading(string text)
    {
        Flush();
        _heading = PageReader.Label(text);
        _term = "";
        _inTerms = false;
    }

    /// <summary>True after a definition term, until its definition starts: terms in a row name one definition.</summary>
    private bool _inTerms;

    /// <summary>
    /// A definition term under the current heading: the passages after it are read as the heading's and the
    /// term's ("-u", "--include-untracked" in a row are one definition's names), and it starts their text.
    /// </summary>
    public void Term(string text)
    {
        if (_inTerms)
        {
            _term = PageReader.Label(_term + ", " + text);
        }
        else
        {
            Flush();
            _term = PageReader.Label(text);
        }
        Add(text, term: true);
        _inTerms = true;
    }

    public void Add(string text) => Add(text, term: false);

    private void Add(string text, bool term)
    {
        _inTerms &= term;
        text = PlainText.Collapse(text);
        if (text.Length == 0 || _passages.Count >= PageLimits.MaxPassagesPerPage)
        {
            return;
        }
        var words = text.Split(' ');
        // A long block is cut into passages of its own.
        for (var start = 0; start < words.Length && _passages.Count < PageLimits.MaxPassagesPerPage; start += PageReader.PassageWords * 2)
        {
            var piece = words.AsSpan(start, Math.Min(PageReader.PassageWords * 2, words.Length - start));
            if (_words > 0 && _words + piece.Length > PageReader.PassageWords * 2)
            {
                Flush();
            }
            foreach (var word in piece)
            {
                // A "word" of thousands of characters (no spaces) is cut, so a passage stays a passage.
                _current.Append(_current.Length > 0 ? " " : "").Append(word.Length > 100 ? word.AsSpan(0, 100) : word);
            }
            _words += piece.Length;
            if (_words >= PageReader.PassageWords)
            {
                Flush();
            }
        }
    }

    public IReadOnlyList<Passage> Build()
    {
        Flush();
        return _passages;
    }

    private void Flush()
    {
        if (_current.Length > 0 && _passages.Count < PageLimits.MaxPassagesPerPage)
        {
            _passages.Add(new Passage(_term.Length == 0 ? _heading : _heading.Length == 0 ? _term : PageReader.Label(_heading + " › " + _term), _current.ToString())
            {
                Defines = _term.Length > 0,
            });
        }
        _current.Clear();
        _words = 0;
    }
}

package media

import "testing"

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"cat.png", true},
		{"été 2026.jpg", true},
		{".bashrc", true}, // refused by the mirror's export, not here
		{"", false},
		{"..", false},
		{"a/b", false},
		{`a\b`, false},
		{"a\x1bb", false},
		{"photo\u202egpj.exe", false},
		{"a\u2066b", false},
		{"a:b", false},
		{"what?.png", false},
		{"trailing.", false},
		{"trailing ", false},
		{"CON", false},
		{"aux.jpg", false},
		{"com7.txt", false},
		{"COM10.txt", true},
		{"console.txt", true},
	}
	for _, tt := range tests {
		if err := CheckName(tt.name); (err == nil) != tt.ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

global using Missions.Chat;
global using Missions.Log;
global using Missions.Queue;
global using Xunit;
